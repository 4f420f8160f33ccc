#!/usr/bin/env bash
# `aws search` resumes after kills and ends with the same policy files, byte for byte, as an
# uninterrupted run with the same seed (cpu backend):
#   1. a reference run, uninterrupted;
#   2. one run directory killed in turn at injected points inside every kind of file write
#      (AWS_CRASH_AT=<tag>:<n>: config, split, omega_share, controller state, log, export), rerun
#      until it finishes;
#   3. one run directory killed with `kill -9` at random times (seed printed), rerun until done;
#   4. a different config on the reference directory → exit 2 naming the field; a corrupt
#      controller state → exit 2 naming the file; `aws train --policy DIR/policy.json` works;
#   5. stage 1 of 3 epochs killed after its epoch-2 checkpoint (injected) and, in another directory,
#      by `kill -9` once stage1.ckpt exists; each resumes mid-stage-1 and ends with the same
#      omega_share state (blob bytes; the meta holds the seconds) and policy files as an
#      uninterrupted run.
# Env: AWS_BIN. Data: Debian's Fashion-MNIST. Tiny sizes so it stays well under 3 minutes.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ARGS=(--subset 192 --val 96 --batch 32 --stage1-epochs 1 --t-max 4 --finetune-lr 0.05 --lr 0.05 --seed 7 --threads 2)

fail() { echo "FAIL $*"; fails=$((fails + 1)); }

same_policies() {  # DIR NAME
  for f in policy.json policy-last.json; do
    if cmp -s "$TMP/ref/$f" "$1/$f"; then echo "ok   $2: $f identical"; else fail "$2: $f differs from the reference"; fi
  done
}

# 1. Reference.
"$AWS_BIN" search --run "$TMP/ref" "${ARGS[@]}" >"$TMP/ref.out" 2>"$TMP/ref.err" || { cat "$TMP/ref.err"; fail "reference run"; exit 1; }
[[ $(wc -l <"$TMP/ref/log.jsonl") -eq 4 ]] || fail "reference log has $(wc -l <"$TMP/ref/log.jsonl") records, expected 4"
grep -q '"theta": "best"' "$TMP/ref/policy.json" || fail "policy.json has no source.theta best"
[[ -s "$TMP/ref/report.html" ]] || fail "no report.html"

# 2. Injected kills, one after another on the same directory (each count is per process).
# config.json renamed; split temp written; omega_share renamed; after the stage-1 hook; a loop logged but
# its state not saved; controller state before rename; loop end; the policy files; policy-last renamed.
points=(atomic.renamed:1 atomic.temp_written:1 atomic.renamed:1 search.stage1_saved:1 search.loop_logged:1
        atomic.before_rename:1 search.loop_end:1 atomic.renamed:3 atomic.renamed:3)
for p in "${points[@]}"; do
  AWS_CRASH_AT=$p "$AWS_BIN" search --run "$TMP/inj" "${ARGS[@]}" >/dev/null 2>"$TMP/inj.err"
  rc=$?
  if [[ $rc -ne 137 && $rc -ne 0 ]]; then fail "injected $p: exit $rc: $(tail -n 2 "$TMP/inj.err")"; fi
  echo "     injected $p: exit $rc"
done
"$AWS_BIN" search --run "$TMP/inj" "${ARGS[@]}" >/dev/null 2>"$TMP/inj.err" || fail "final injected rerun: $(tail -n 1 "$TMP/inj.err")"
[[ $(wc -l <"$TMP/inj/log.jsonl") -eq 4 ]] || fail "injected run: log has $(wc -l <"$TMP/inj/log.jsonl") records, expected 4"
same_policies "$TMP/inj" "injected kills"

# 3. kill -9 at random times.
SEED=${AWS_TEST_SEED:-$RANDOM}
echo "     random kills: seed $SEED (AWS_TEST_SEED=$SEED to replay)"
RANDOM=$SEED
for try in 1 2 3 4; do
  "$AWS_BIN" search --run "$TMP/rnd" "${ARGS[@]}" >/dev/null 2>"$TMP/rnd.err" &
  pid=$!
  delay=$(( (RANDOM % 70) + 10 ))  # tenths of a second
  for _ in $(seq 1 $delay); do sleep 0.1; kill -0 $pid 2>/dev/null || break; done
  kill -9 $pid 2>/dev/null
  wait $pid
  echo "     random kill $try after ${delay}/10 s: exit $?"
done
"$AWS_BIN" search --run "$TMP/rnd" "${ARGS[@]}" >/dev/null 2>"$TMP/rnd.err" || fail "random kills: final rerun: $(tail -n 1 "$TMP/rnd.err")"
same_policies "$TMP/rnd" "random kills"

# 4. Refusals and the policy in `aws train`.
"$AWS_BIN" search --run "$TMP/ref" "${ARGS[@]/#--t-max/--k}" >/dev/null 2>"$TMP/err"
rc=$?
{ [[ $rc -eq 2 ]] && grep -q "k: 1 -> 4" "$TMP/err"; } && echo "ok   other config refused: $(tail -n1 "$TMP/err")" || fail "other config: exit $rc: $(cat "$TMP/err")"
cp -r "$TMP/ref" "$TMP/bad"
printf 'garbage' | dd of="$TMP/bad/controller.ckpt" bs=1 seek=40 conv=notrunc 2>/dev/null
"$AWS_BIN" search --run "$TMP/bad" "${ARGS[@]}" >/dev/null 2>"$TMP/err"
rc=$?
{ [[ $rc -eq 2 ]] && grep -q "controller.ckpt" "$TMP/err"; } && echo "ok   corrupt controller state: $(tail -n1 "$TMP/err")" || fail "corrupt controller: exit $rc: $(cat "$TMP/err")"
"$AWS_BIN" train --policy "$TMP/ref/policy.json" --epochs 1 --subset 256 --batch 64 --threads 2 --out "$TMP/train" >"$TMP/out" 2>"$TMP/err" \
  && grep -q "final test accuracy" "$TMP/out" && echo "ok   aws train --policy policy.json" || fail "aws train --policy: $(tail -n 2 "$TMP/err")"

# 5. Stage-1 checkpoints.
ARGS3=(--subset 192 --val 96 --batch 32 --stage1-epochs 3 --t-max 2 --finetune-lr 0.05 --lr 0.05 --seed 7 --threads 2)
state_of() {  # the blob bytes of a checkpoint (engine/io/checkpoint.h: magic, u32, u64 header size, header, blobs, u64)
  /usr/bin/python3 -c 'import sys, struct; b = open(sys.argv[1], "rb").read(); h = struct.unpack_from("<Q", b, 12)[0]; sys.stdout.buffer.write(b[20 + h:-8])' "$1"
}
same_stage1() {  # DIR NAME
  if cmp -s <(state_of "$TMP/ref3/omega_share.ckpt") <(state_of "$1/omega_share.ckpt"); then
    echo "ok   $2: omega_share state identical"
  else
    fail "$2: omega_share state differs from the uninterrupted run"
  fi
  for f in policy.json policy-last.json; do
    cmp -s "$TMP/ref3/$f" "$1/$f" && echo "ok   $2: $f identical" || fail "$2: $f differs"
  done
}
"$AWS_BIN" search --run "$TMP/ref3" "${ARGS3[@]}" >/dev/null 2>"$TMP/err" || fail "stage-1 reference: $(tail -n 1 "$TMP/err")"
[[ -e $TMP/ref3/stage1.ckpt ]] && fail "stage1.ckpt left beside omega_share.ckpt"
AWS_CRASH_AT=search.stage1_epoch_saved:2 "$AWS_BIN" search --run "$TMP/s1" "${ARGS3[@]}" >/dev/null 2>"$TMP/err"
rc=$?
[[ $rc -eq 137 && -f $TMP/s1/stage1.ckpt && ! -e $TMP/s1/omega_share.ckpt ]] || fail "stage-1 injected kill: exit $rc"
"$AWS_BIN" search --run "$TMP/s1" "${ARGS3[@]}" >/dev/null 2>"$TMP/err" || fail "stage-1 resume: $(tail -n 1 "$TMP/err")"
grep -q "stage 1: resuming after epoch 2" "$TMP/err" && echo "ok   stage 1 resumed after epoch 2" || fail "stage 1 did not resume mid-way"
same_stage1 "$TMP/s1" "stage-1 injected kill"
"$AWS_BIN" search --run "$TMP/s1k" "${ARGS3[@]}" >/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 600); do [[ -f $TMP/s1k/stage1.ckpt ]] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -9 $pid 2>/dev/null
wait $pid
echo "     kill -9 in stage 1: exit $?"
"$AWS_BIN" search --run "$TMP/s1k" "${ARGS3[@]}" >/dev/null 2>"$TMP/err" || fail "stage-1 kill -9 resume: $(tail -n 1 "$TMP/err")"
grep -q "stage 1: resuming after epoch" "$TMP/err" && echo "ok   stage 1 resumed after kill -9" || fail "stage 1 did not resume after kill -9"
same_stage1 "$TMP/s1k" "stage-1 kill -9"

[[ $fails -eq 0 ]] && echo "all search resume checks passed" || echo "$fails failure(s)"
[[ $fails -eq 0 ]]
