#!/usr/bin/env bash
# `mpirun -np 2 aws search` (docs/DISTRIBUTED.md, search/search_ranks.h) on Fashion-MNIST at toy size, K = 2:
#   - stage 2 from one ω_share gives byte-identical policy.json and policy-last.json at W = 1 and W = 2;
#   - two W = 2 searches from scratch (stage 1 data-parallel) end with byte-identical policies; rank 0
#     alone writes (one log line per loop); config.json records stage1_ranks 2;
#   - a W = 2 search killed after its second loop resumes at W = 1 to the same policy;
#   - K = 1 on 2 ranks: one group fine-tunes data-parallel, its pair counts summed over both ranks;
#   - an unfinished W = 2 stage 1 refuses to resume at W = 1; W > K not a multiple of K, and ranks started
#     with different flags, end the job with exit 2 and a line saying why, within a timeout, not a hang;
#   - a rank stopped with SIGSTOP ends the job after AWS_RANK_TIMEOUT (5 s here) instead of a hang.
# Skipped (77) in a build without MPI. Env: AWS_BIN, AWS_BUILD_DIR.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN}
BUILD=${AWS_BUILD_DIR:?set AWS_BUILD_DIR}
grep -q '^AWS_MPI:BOOL=ON' "$BUILD/CMakeCache.txt" || { echo "skipped: built without MPI"; exit 77; }
mpi() { timeout 300 mpirun --allow-run-as-root --oversubscribe "$@"; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/aws-mpi-search.XXXXXX")
trap 'rm -rf "$dir"' EXIT
common=(--subset 600 --val 200 --stage1-epochs 2 --finetune-epochs 1 --t-max 3 --batch 50 --threads 1)
args=("${common[@]}" --k 2)
fails=0
fail() { echo "FAIL: $*"; fails=1; }

"$AWS_BIN" search --run "$dir/one" "${args[@]}" > "$dir/one.log" 2>&1 || fail "the W = 1 search exited $?"
mkdir "$dir/two"
cp "$dir/one/config.json" "$dir/one/split.ckpt" "$dir/one/omega_share.ckpt" "$dir/two/"
mpi -np 2 "$AWS_BIN" search --run "$dir/two" "${args[@]}" > "$dir/two.log" 2>&1 || fail "stage 2 at W = 2 exited $?"
for f in policy.json policy-last.json; do
  cmp -s "$dir/one/$f" "$dir/two/$f" || fail "stage 2 from one ω_share: $f differs between W = 1 and W = 2"
done
[ $fails -eq 0 ] && echo "ok   stage 2 from one ω_share: the same policy at W = 1 and W = 2"

for r in a b; do
  mpi -np 2 "$AWS_BIN" search --run "$dir/$r" "${args[@]}" > "$dir/$r.log" 2>&1 || fail "W = 2 search $r exited $?"
done
cmp -s "$dir/a/policy.json" "$dir/b/policy.json" || fail "two W = 2 searches ended with different policies"
[ "$(wc -l < "$dir/a/log.jsonl")" -eq 3 ] || fail "log.jsonl does not hold one line per loop (rank 0 alone writes)"
grep -q '"stage1_ranks": 2' "$dir/a/config.json" || fail "config.json does not record stage1_ranks 2"
grep -q 'x 2 ranks' "$dir/a.log" || fail "the search's first line does not say 2 ranks"
[ $fails -eq 0 ] && echo "ok   two W = 2 searches: byte-identical policies, rank 0 alone writes"

mpi -np 2 -x AWS_CRASH_AT=search.loop_end:2 "$AWS_BIN" search --run "$dir/k" "${args[@]}" > "$dir/k.log" 2>&1
[ -s "$dir/k/controller.ckpt" ] && [ ! -e "$dir/k/policy.json" ] || fail "the killed W = 2 search left no loop or finished"
"$AWS_BIN" search --run "$dir/k" "${args[@]}" > "$dir/k2.log" 2>&1 || fail "the resume at W = 1 exited $?"
grep -q "2 resumed" "$dir/k2.log" || fail "the resume did not go on after loop 2: $(tail -2 "$dir/k2.log")"
cmp -s "$dir/a/policy.json" "$dir/k/policy.json" || fail "killed at W = 2 and resumed at W = 1: another policy"
[ $fails -eq 0 ] && echo "ok   killed at W = 2, resumed at W = 1: the same policy"

mpi -np 2 -x AWS_CRASH_AT=search.stage1_epoch_saved:1 "$AWS_BIN" search --run "$dir/s" "${args[@]}" > "$dir/s.log" 2>&1
rc=0
"$AWS_BIN" search --run "$dir/s" "${args[@]}" > "$dir/s2.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "resumes only at that many ranks" "$dir/s2.log" ||
  fail "an unfinished W = 2 stage 1 resumed at W = 1: exit $rc ($(tail -1 "$dir/s2.log"))"
mpi -np 2 "$AWS_BIN" search --run "$dir/g" "${common[@]}" --k 1 > "$dir/g.log" 2>&1 || fail "K = 1 on 2 ranks exited $?"
grep -q "x 2 ranks (2 per trajectory)" "$dir/g.log" || fail "K = 1 on 2 ranks: not one group of 2"
/usr/bin/python3 - "$dir/g/log.jsonl" <<'PY' || fail "K = 1 on 2 ranks: the pair counts are not the group's sum"
import json, sys
for line in open(sys.argv[1]):
    assert json.loads(line)["images_counted"] == [600], line  # 12 steps × 50 images, 25 on each rank
PY
rc=0
mpi -np 3 "$AWS_BIN" search --run "$dir/c" "${args[@]}" > "$dir/c.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -qE '^aws: rank [012]: --k 2 with 3 ranks' "$dir/c.log" || fail "K = 2 on 3 ranks: exit $rc"
rc=0
mpi -np 1 "$AWS_BIN" search --run "$dir/m" "${args[@]}" --seed 0 : -np 1 "$AWS_BIN" search --run "$dir/m" "${args[@]}" \
  --seed 1 > "$dir/m.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "rank 1 has another configuration" "$dir/m.log" || fail "ranks with different flags: exit $rc"
[ -e "$dir/m" ] && fail "ranks with different flags wrote a run directory"
[ $fails -eq 0 ] && echo "ok   bad launches end with exit 2 and one line"

# A rank stopped (SIGSTOP) after loop 0: rank 0 waits in the next gather for AWS_RANK_TIMEOUT = 5 s, then
# its watchdog ends it (exit 1, a line naming the collective) and mpirun kills the stopped rank. 60 s
# is the hang.
rc=0
start=$SECONDS
timeout 60 mpirun --allow-run-as-root --oversubscribe -np 1 env AWS_RANK_TIMEOUT=5 "$AWS_BIN" search --run "$dir/h" \
  "${args[@]}" : -np 1 env AWS_RANK_TIMEOUT=5 AWS_CRASH_AT=search.loop_end:1 AWS_CRASH_AT_SIGNAL=STOP "$AWS_BIN" \
  search --run "$dir/h" "${args[@]}" > "$dir/h.log" 2>&1 || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -qE "^aws: rank 0: [a-z]+: no answer from the other ranks for [0-9]+ s \(AWS_RANK_TIMEOUT=5\)" "$dir/h.log" ||
  fail "a stopped rank: exit $rc after $((SECONDS - start)) s ($(grep aws: "$dir/h.log" | head -2))"
[ $fails -eq 0 ] && echo "ok   a stopped rank ends the job after AWS_RANK_TIMEOUT ($((SECONDS - start)) s in all)"
exit $fails
