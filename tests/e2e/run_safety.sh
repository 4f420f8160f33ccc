#!/usr/bin/env bash
# Runs that never lie and never lose (issue 11 §3–4), through the CLI:
#   1. non-finite / out-of-range numbers and bad seeds: exit 2 before anything is written;
#   2. --run at "/", at a user's non-empty folder or at a file: exit 2, the user's files untouched;
#   3. typos (model, --batch, --val) exit 2 before config.json/split.ckpt exist, so the corrected
#      command then runs in the same folder (`aws train`: before its --out folder exists);
#   4. a second `aws search` on a running one's directory: exit 2 naming the holder's PID;
#   5. a resume at another --threads, on other data (one pixel changed) or with an overflowing
#      config.json number: exit 2 naming --threads / the data / the field;
#   6. divergence (`aws train`, stage 2): exit 2 naming the stage, nothing written from it;
#   7. a log that cannot be written (log.jsonl -> /dev/full): exit 2 naming the file and the reason.
# Env: AWS_BIN. Data: Debian's Fashion-MNIST. Tiny sizes (about a minute on 2 cores).
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
DATA=/usr/share/datasets/fashion-mnist
TMP=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
fails=0
ARGS=(--subset 192 --val 96 --batch 32 --stage1-epochs 1 --t-max 1 --finetune-lr 0.05 --lr 0.05 --seed 7 --threads 2)

fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# with FLAG VALUE ...: ARGS with each FLAG's value replaced (or the flag added), one word a line.
with() {
  local out=("${ARGS[@]}") i
  while [[ $# -ge 2 ]]; do
    local found=0
    for ((i = 0; i < ${#out[@]}; i += 2)); do [[ ${out[i]} == "$1" ]] && out[i + 1]=$2 && found=1; done
    [[ $found -eq 1 ]] || out+=("$1" "$2")
    shift 2
  done
  printf '%s\n' "${out[@]}"
}

# expect NAME PATTERN -- ARGS...: exit code 2 and stderr matching PATTERN (grep -E).
expect() {
  local name=$1 pattern=$2
  shift 3
  "$AWS_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit $rc, expected 2: $(tail -n 3 "$TMP/err")"
  elif ! grep -qE -- "$pattern" "$TMP/err"; then
    fail "$name: stderr does not match /$pattern/: $(cat "$TMP/err")"
  else
    echo "ok   $name: $(head -n 1 "$TMP/err")"
  fi
}
absent() { [[ ! -e $1 ]] || fail "$2: $1 was written"; }

# 1. Numbers.
R=$TMP/run
expect "--lr 1e400" "--lr: inf is not a finite number" -- search --run "$R" $(with --lr 1e400)
expect "--finetune-lr inf" "--finetune-lr: inf is not a finite number" -- search --run "$R" --finetune-lr inf --t-max 1
expect "--seed -1" "--seed -1: not a seed .*2\^64-1" -- search --run "$R" --seed -1
expect "--seed 10^23" "--seed 99999999999999999999999: too large" -- search --run "$R" --seed 99999999999999999999999
expect "train --seed -1" "--seed -1: not a seed" -- train --seed -1 --out "$TMP/t"
expect "train --clip nan" "--clip: nan is not a finite number" -- train --clip nan --out "$TMP/t"
expect "train --bn-momentum nan" "--bn-momentum: nan is not a finite number" -- train --bn-momentum nan --out "$TMP/t"
expect "train --lr 1e400" "--lr: 1e400 is not a finite number" -- train --lr 1e400 --out "$TMP/t"
expect "search --lr nan" "--lr: nan is not a finite number" -- search --run "$R" --lr nan
expect "bench augment --threads 100000" "--threads: Value 100000 not in range" -- bench augment --threads 100000 --no-peer
expect "correlate --threads 100000" "--threads: Value 100000 not in range" -- correlate --threads 100000 --out "$TMP/c"
expect "correlate --subset 99999999" "--subset: 99999999 is not in" -- correlate --subset 99999999 --out "$TMP/c"
absent "$R" "bad numbers"

# 2. Folders that are not run directories.
expect "--run /" "/: not empty and not a run directory" -- search --run / "${ARGS[@]}"
mkdir -p "$TMP/mine"
echo '{"mine": 1}' >"$TMP/mine/log.jsonl"
echo '<p>mine</p>' >"$TMP/mine/report.html"
( cd "$TMP/mine" && md5sum log.jsonl report.html ) >"$TMP/mine.md5"
expect "--run at a user's folder" "mine: not empty and not a run directory" -- search --run "$TMP/mine" "${ARGS[@]}"
( cd "$TMP/mine" && md5sum -c --quiet "$TMP/mine.md5" ) || fail "the user's files changed"
absent "$TMP/mine/config.json" "user's folder"
touch "$TMP/afile"
expect "--run at a file" "not a directory" -- search --run "$TMP/afile" "${ARGS[@]}"

# 3. Typos are refused before anything is written; the corrected command then runs.
expect "--model resnet2O" "--model: unknown model 'resnet2O'" -- search --run "$R" "${ARGS[@]}" --model resnet2O
expect "--batch larger than D_tr" "--batch: 5000 is larger than D_tr" -- search --run "$R" $(with --batch 5000)
expect "--val 60000" "--val: 60000 is not in" -- search --run "$R" $(with --val 60000)
absent "$R" "typos"
expect "train --model resnet2O" "--model: unknown model 'resnet2O'" -- train --model resnet2O --epochs 1 --out "$TMP/t"
absent "$TMP/t" "train typo"
mkdir -p "$TMP/t2" && echo keep > "$TMP/t2/metrics.jsonl"  # an earlier run's metrics survive a typo
expect "train --schedule typo" "--schedule: unknown schedule 'wiggly'" -- train --schedule wiggly --epochs 1 --out "$TMP/t2"
[ "$(cat "$TMP/t2/metrics.jsonl")" = keep ] || fail "train typo: an earlier metrics.jsonl was emptied"
"$AWS_BIN" search --run "$R" "${ARGS[@]}" >"$TMP/out" 2>"$TMP/err" && echo "ok   the corrected command runs" \
  || fail "corrected command: $(tail -n 2 "$TMP/err")"
grep -q '"data_fingerprint": "[0-9a-f]\{16\}"' "$R/config.json" || fail "config.json has no data_fingerprint"
grep -q '"threads": 2' "$R/config.json" || fail "config.json does not hold the resolved threads"
grep -q '"build"' "$R/config.json" || fail "config.json has no build"
grep -q 'build' "$R/policy.json" || fail "policy.json's source has no build"

# 4. The lock: a second search on a running one's directory names the holder.
L=$TMP/locked
"$AWS_BIN" search --run "$L" $(with --t-max 50) >/dev/null 2>"$TMP/l.err" &
holder=$!
pids+=("$holder")
for _ in $(seq 1 300); do [[ -s $L/lock ]] && break; sleep 0.1; done
expect "a second search on a locked run" "in use by another aws search \\(PID $holder" -- search --run "$L" $(with --t-max 50)
kill -9 "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# 5. Resume only under the same threads, data and a readable config.
expect "resume at --threads 1" "--threads: the run used 2 cpu threads, this one 1" -- search --run "$R" $(with --threads 1)
mkdir -p "$TMP/data"
cp "$DATA"/*labels* "$DATA"/t10k-images* "$TMP/data/"
/usr/bin/python3 - "$DATA/train-images-idx3-ubyte.gz" "$TMP/data/train-images-idx3-ubyte.gz" <<'EOF'
import gzip, sys
b = bytearray(gzip.open(sys.argv[1]).read())
b[16 + 784 * 5 + 300] ^= 0x40  # one pixel of image 5
gzip.open(sys.argv[2], "wb", compresslevel=1).write(b)
EOF
expect "resume on other data" "training data differ from the run's" -- search --run "$R" "${ARGS[@]}" --data-dir "$TMP/data"
cp -r "$R" "$TMP/over"
sed -i 's/"finetune_lr": [0-9.e-]*/"finetune_lr": 1e999/' "$TMP/over/config.json"
expect "config.json number overflow" 'config.json: field "finetune_lr" holds a number out of range' -- search --run "$TMP/over" "${ARGS[@]}"

# 6. Divergence.
expect "train diverges" "train epoch [0-9]+ step [0-9]+/[0-9]+: training diverged: .* at learning rate" -- \
  train --lr 1e6 --epochs 6 --subset 256 --batch 32 --threads 2 --out "$TMP/t"
absent "$TMP/t/model.ckpt" "diverged train"
absent "$TMP/t/result.json" "diverged train"
D=$TMP/diverged
expect "stage 2 diverges" "stage 2 loop 0 trajectory 0 epoch [0-9]+ step .*training diverged" -- \
  search --run "$D" $(with --finetune-lr 1e6 --finetune-epochs 8)
[[ -f $D/omega_share.ckpt ]] || fail "diverged search: omega_share.ckpt (the last good state) missing"
absent "$D/controller.ckpt" "diverged search"
absent "$D/policy.json" "diverged search"

# 7. A log that cannot be written.
F=$TMP/full
AWS_CRASH_AT=search.stage1_saved:1 "$AWS_BIN" search --run "$F" "${ARGS[@]}" >/dev/null 2>&1
ln -s /dev/full "$F/log.jsonl"
expect "log.jsonl on a full disk" "log.jsonl: cannot append a record \\(No space left on device\\)" -- search --run "$F" "${ARGS[@]}"

[[ $fails -eq 0 ]] && echo "all run safety checks passed" || echo "$fails failure(s)"
[[ $fails -eq 0 ]]
