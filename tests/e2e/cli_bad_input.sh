#!/usr/bin/env bash
# Every class of bad input to `aws train` / `aws eval` ends with exit code 2 and a first stderr line
# that names the flag, file or field at fault; nothing crashes. (CLI11's own parse errors add a
# second line, "Run with --help ...": that and only that may follow.)
# Env: AWS_BIN (the aws binary). Uses the Debian Fashion-MNIST files for the dataset cases.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
DATA=/usr/share/datasets/fashion-mnist
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

# expect NAME PATTERN -- ARGS...: exit code 2, first stderr line matches PATTERN (grep -E).
expect() {
  local name=$1 pattern=$2
  shift 3
  "$AWS_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  local first
  first=$(head -n 1 "$TMP/err")
  local extra
  extra=$(tail -n +2 "$TMP/err" | grep -v '^Run with --help' | grep -c .)
  if [[ $rc -ne 2 ]]; then
    echo "FAIL $name: exit code $rc, expected 2; stderr: $(cat "$TMP/err")"; fails=$((fails + 1))
  elif ! grep -qE -- "$pattern" <<<"$first"; then
    echo "FAIL $name: first stderr line does not match /$pattern/: $first"; fails=$((fails + 1))
  elif [[ $extra -ne 0 ]]; then
    echo "FAIL $name: more than one line on stderr: $(cat "$TMP/err")"; fails=$((fails + 1))
  else
    echo "ok   $name: $first"
  fi
}

OUT="--out $TMP/run"
expect "unknown model" '--model.*resnet99' -- train --model resnet99 $OUT
expect "bad --device" '--device.*tpu' -- train --device tpu $OUT
expect "negative --epochs" '--epochs' -- train --epochs -3 $OUT
expect "--batch 0" '--batch' -- train --batch 0 $OUT
expect "missing dataset dir" '/nonexistent' -- train --data-dir /nonexistent $OUT
expect "unknown dataset" '--data.*mnist-nope|mnist-nope' -- train --data mnist-nope $OUT
expect "unknown --policy" '--policy.*no-such-policy' -- train --policy no-such-policy $OUT
printf '{"name": "broken", "pairs": [' >"$TMP/bad_policy.json"
expect "malformed policy JSON" 'bad_policy\.json' -- train --policy "$TMP/bad_policy.json" $OUT
expect "unknown schedule" '--schedule' -- train --schedule wiggly $OUT
expect "bf16 on the cpu" '--math bf16.*cuda' -- train --math bf16 --device cpu $OUT
expect "bf16 on the cpu (bench)" '--math bf16.*cuda' -- bench train-step --math bf16 --device cpu --no-peer
expect "bf16 on the cpu (search)" '--math bf16.*cuda' -- search --math bf16 --run "$TMP/search-run"
expect "CUDA graphs on the cpu" '--cuda-graphs.*cuda' -- train --cuda-graphs --device cpu $OUT
expect "CUDA graphs on the cpu (search)" '--cuda-graphs.*cuda' -- search --cuda-graphs --run "$TMP/search-run"

# A truncated IDX file (the gzip stream cut in half) in a copy of the dataset folder.
mkdir -p "$TMP/fm"
cp "$DATA"/*.gz "$TMP/fm/"
head -c 2000000 "$DATA/train-images-idx3-ubyte.gz" >"$TMP/fm/train-images-idx3-ubyte.gz"
expect "truncated IDX (gzip)" 'train-images-idx3-ubyte' -- train --data-dir "$TMP/fm" $OUT
# An IDX file with a wrong magic number (valid gzip around garbage).
cp "$DATA/train-images-idx3-ubyte.gz" "$TMP/fm/"
printf 'not an idx file at all' | gzip >"$TMP/fm/t10k-labels-idx1-ubyte.gz"
expect "IDX with a wrong magic" 't10k-labels-idx1-ubyte' -- train --data-dir "$TMP/fm" $OUT

# cuda on a machine (or build) without it: a clear error, no crash.
"$AWS_BIN" train --device cuda --epochs 1 --subset 256 --batch 64 $OUT >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 0 ]]; then
  echo "note --device cuda: a cuda device is usable here (exit 0)"
else
  expect "--device cuda without cuda" '--device cuda|cuda' -- train --device cuda --epochs 1 --subset 256 --batch 64 $OUT
fi

# Checkpoints for `aws eval`: a real one from a tiny run, then corrupted copies.
if ! "$AWS_BIN" train --epochs 1 --subset 256 --batch 64 --out "$TMP/good" >"$TMP/out" 2>"$TMP/err"; then
  echo "FAIL could not train the tiny model for the checkpoint cases: $(cat "$TMP/err")"; exit 1
fi
"$AWS_BIN" eval --checkpoint "$TMP/good/model.ckpt" >"$TMP/out" 2>"$TMP/err" ||
  { echo "FAIL eval of the good checkpoint: $(cat "$TMP/err")"; fails=$((fails + 1)); }
size=$(stat -c %s "$TMP/good/model.ckpt")
cp "$TMP/good/model.ckpt" "$TMP/flipped.ckpt"
printf '\xff' | dd of="$TMP/flipped.ckpt" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect "checkpoint with a flipped byte" 'flipped\.ckpt' -- eval --checkpoint "$TMP/flipped.ckpt"
head -c $((size / 3)) "$TMP/good/model.ckpt" >"$TMP/short.ckpt"
expect "truncated checkpoint" 'short\.ckpt' -- eval --checkpoint "$TMP/short.ckpt"
head -c 4096 /dev/urandom >"$TMP/noise.ckpt"
expect "checkpoint of random bytes" 'noise\.ckpt' -- eval --checkpoint "$TMP/noise.ckpt"
expect "missing checkpoint" 'missing\.ckpt' -- eval --checkpoint "$TMP/missing.ckpt"

if [[ $fails -ne 0 ]]; then
  echo "$fails bad-input case(s) failed"
  exit 1
fi
echo "all bad-input cases exit 2 with one line naming the culprit"
