#!/usr/bin/env bash
# `mpirun -np 2 aws train` (docs/DISTRIBUTED.md): two runs write byte-identical model.ckpt files, rank 0
# alone writes (one metrics line per epoch, result.json says 2 ranks), and a failure on one rank (an
# output folder rank 0 cannot make) or on all (a batch that does not divide) ends the whole job with
# exit 2 and one line, within a timeout rather than a hang; `aws bench allreduce` runs on 2 ranks and
# refuses one. Skipped (77) in a build without MPI.
# Env: AWS_BIN, AWS_BUILD_DIR.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN}
BUILD=${AWS_BUILD_DIR:?set AWS_BUILD_DIR}
grep -q '^AWS_MPI:BOOL=ON' "$BUILD/CMakeCache.txt" || { echo "skipped: built without MPI"; exit 77; }
run() { timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 "$AWS_BIN" train "$@"; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/aws-mpi-train.XXXXXX")
trap 'rm -rf "$dir"' EXIT
base=(--model resnet20 --data fashion-mnist --subset 256 --epochs 1 --threads 1)
args=("${base[@]}" --batch 32)
fails=0
fail() { echo "FAIL: $*"; fails=1; }
run "${args[@]}" --out "$dir/a" > "$dir/a.log" 2>&1 || fail "first run exited $? ($(tail -3 "$dir/a.log"))"
run "${args[@]}" --out "$dir/b" > "$dir/b.log" 2>&1 || fail "second run exited $?"
cmp -s "$dir/a/model.ckpt" "$dir/b/model.ckpt" || fail "two 2-rank runs wrote different model.ckpt files"
[ "$(wc -l < "$dir/a/metrics.jsonl")" -eq 1 ] || fail "metrics.jsonl does not hold one line (rank 0 alone writes)"
grep -q '"ranks": 2' "$dir/a/result.json" || fail "result.json does not record 2 ranks"
grep -q 'x 2 ranks' "$dir/a.log" || fail "the run's first line does not say 2 ranks"
run "${base[@]}" --batch 31 --out "$dir/c" > "$dir/c.log" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--batch 31 on 2 ranks exited $rc, expected 2"
grep -qE 'rank [01]: --batch 31 is not divisible by the 2 ranks' "$dir/c.log" || fail "no line naming --batch"
run "${args[@]}" --out /proc/aws-no-such-dir > "$dir/d.log" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "an output folder rank 0 cannot make: exit $rc, expected 2 (124 = the other rank hung)"
grep -q 'rank 0: /proc/aws-no-such-dir' "$dir/d.log" || fail "no line naming the folder: $(grep aws "$dir/d.log" | head -2)"
# aws bench allreduce runs both sides under mpirun and refuses a single rank.
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 "$AWS_BIN" bench allreduce --reps 2 --max-bytes 1024 \
  > "$dir/b.log" 2>&1 || fail "bench allreduce exited $?"
[ "$(grep -cE '^ +[0-9]+ +[0-9.]+ +[0-9.]+ ' "$dir/b.log")" -eq 5 ] || fail "bench allreduce: not 5 sizes (4 B to 1 KiB) ($(cat "$dir/b.log"))"
rc=0
"$AWS_BIN" bench allreduce > "$dir/b1.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "run it under mpirun" "$dir/b1.log" || fail "bench allreduce on one rank: exit $rc"
[ $fails -eq 0 ] && echo "mpi train: ok"
exit $fails
