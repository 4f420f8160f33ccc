#!/usr/bin/env bash
# `mpirun -np 2 aws train` (docs/DISTRIBUTED.md): two runs write byte-identical model.ckpt files, rank 0
# alone writes (one metrics line per epoch, result.json says 2 ranks), and a failure on one rank (an
# output folder rank 0 cannot make) or on all (a batch that does not divide) ends the whole job with
# exit 2 and one line, within a timeout rather than a hang; the rank count is checked against MPI's
# (--world-size, or a launcher's variable set without its launcher); `aws bench allreduce` runs on 2
# ranks and refuses one. Skipped (77) in a build without MPI.
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
# The rank count: a launcher's variable without the launcher (an sbatch shell; srun with an MPI lacking
# Slurm's PMI) is refused with one line instead of one-rank worlds writing the same files; --world-size 1
# runs alone there; --world-size that MPI's world does not match is refused.
rc=0
SLURM_NTASKS=2 timeout 60 "$AWS_BIN" train "${args[@]}" --out "$dir/e" > "$dir/e.log" 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "SLURM_NTASKS=2 without a launcher: exit $rc, expected 2"
[ "$(grep -c 'SLURM_NTASKS=2 in the environment, but MPI started this process in a world of 1 rank' "$dir/e.log")" \
  -eq 1 ] && [ ! -e "$dir/e" ] || fail "SLURM_NTASKS=2 without a launcher: $(cat "$dir/e.log")"
SLURM_NTASKS=2 timeout 60 "$AWS_BIN" train "${args[@]}" --world-size 1 --out "$dir/f" > "$dir/f.log" 2>&1 ||
  fail "--world-size 1 under SLURM_NTASKS=2 exited $? ($(tail -2 "$dir/f.log"))"
grep -q '"ranks": 1' "$dir/f/result.json" 2>/dev/null || fail "--world-size 1 did not run as one rank"
rc=0
run "${args[@]}" --world-size 3 --out "$dir/g" > "$dir/g.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q -- '--world-size 3, but MPI started this process in a world of 2 ranks' "$dir/g.log" &&
  [ ! -e "$dir/g" ] || fail "--world-size 3 on 2 ranks: exit $rc ($(grep aws "$dir/g.log" | head -2))"
# aws bench allreduce runs both sides under mpirun and refuses a single rank.
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 "$AWS_BIN" bench allreduce --reps 2 --max-bytes 1024 \
  > "$dir/b.log" 2>&1 || fail "bench allreduce exited $?"
[ "$(grep -cE '^ +[0-9]+ +[0-9.]+ +[0-9.]+ ' "$dir/b.log")" -eq 5 ] || fail "bench allreduce: not 5 sizes (4 B to 1 KiB) ($(cat "$dir/b.log"))"
rc=0
"$AWS_BIN" bench allreduce > "$dir/b1.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "run it under mpirun" "$dir/b1.log" || fail "bench allreduce on one rank: exit $rc"
[ $fails -eq 0 ] && echo "mpi train: ok"
exit $fails
