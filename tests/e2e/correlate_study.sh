#!/usr/bin/env bash
# aws correlate at tiny scale, through the CLI:
#   1. its ground truth for a policy is exactly `aws train --recipe final` on the same split and seed
#      (and seed + 1, the second seed) with that policy (policies/policy-N.json): the same final test accuracy, printed to 2 decimals;
#   2. its P_AF stage 1 is the search's: `aws search` with the same flags on a copy of af/ loads
#      omega_share.ckpt instead of training (same config digest);
#   3. a rerun continues: nothing is recomputed and correlation.json is the same; a rerun with another
#      --truth-epochs in the same folder exits 2 naming correlate.jsonl.
# Env: AWS_BIN. Data: Debian's Fashion-MNIST.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
[ -d /usr/share/datasets/fashion-mnist ] || { echo "SKIP: no Fashion-MNIST"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
SPLIT=(--subset 256 --val 64 --data-seed 3 --batch 32)
STUDY=("${SPLIT[@]}" --stage1-epochs 1 --finetune-epochs 1 --seed 5 --threads 1)
"$AWS_BIN" correlate "${STUDY[@]}" --policies 6 --second-seed 1 --truth-epochs 2 --out "$TMP/c" > "$TMP/c.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/c.log"; fail "correlate exited $rc"; exit 1; }
[ "$(wc -l < "$TMP/c/correlate.jsonl")" -eq 6 ] || fail "correlate.jsonl has not 6 records"

# 1. ground truth = aws train, for a sparse policy, and the second seed of policy 0 (θ ~ N(0, 0.25)).
for n in 3; do
  "$AWS_BIN" train --recipe final --epochs 2 "${SPLIT[@]}" --seed 5 --threads 1 --policy "$TMP/c/policies/policy-$n.json" \
    --out "$TMP/t$n" > "$TMP/t$n.log" 2>&1 || fail "aws train on policy $n exited $?"
  want=$(/usr/bin/python3 -c "import json;print('%.6f' % json.load(open('$TMP/t$n/result.json'))['final_test_acc'])")
  got=$(/usr/bin/python3 -c "import json;r=[json.loads(l) for l in open('$TMP/c/correlate.jsonl')][$n];print('%.6f' % r['truth'][0])")
  [ "$want" = "$got" ] || fail "policy $n: correlate's truth $got, aws train's $want"
  echo "policy $n: truth $got = aws train $want"
done
"$AWS_BIN" train --recipe final --epochs 2 "${SPLIT[@]}" --seed 6 --threads 1 --policy "$TMP/c/policies/policy-0.json" \
  --out "$TMP/t0b" > /dev/null 2>&1 || fail "aws train seed 6 exited $?"
want=$(/usr/bin/python3 -c "import json;print('%.6f' % json.load(open('$TMP/t0b/result.json'))['final_test_acc'])")
got=$(/usr/bin/python3 -c "import json;r=[json.loads(l) for l in open('$TMP/c/correlate.jsonl')][0];print('%.6f' % r['truth'][1])")
[ "$want" = "$got" ] || fail "policy 0 second seed: correlate $got, aws train $want"
echo "policy 0 seed 6: truth $got = aws train $want"

# 2. the P_AF stage 1 is the search's own.
cp -r "$TMP/c/af" "$TMP/s"
rm -f "$TMP/s/lock"
"$AWS_BIN" search "${STUDY[@]}" --run "$TMP/s" > "$TMP/s.log" 2>&1 || fail "search on af/ exited $?"
grep -q "omega_share loaded" "$TMP/s.log" || fail "search did not load correlate's ω_share: $(tail -3 "$TMP/s.log")"

# 3. rerun and mismatch.
cp "$TMP/c/correlation.json" "$TMP/before.json"
"$AWS_BIN" correlate "${STUDY[@]}" --policies 6 --second-seed 1 --truth-epochs 2 --out "$TMP/c" > "$TMP/c2.log" 2>&1 ||
  fail "rerun exited $?"
grep -q "^policy " "$TMP/c2.log" && fail "rerun recomputed a policy"
cmp -s "$TMP/before.json" "$TMP/c/correlation.json" || fail "rerun changed correlation.json"
"$AWS_BIN" correlate "${STUDY[@]}" --policies 6 --second-seed 2 --truth-epochs 3 --out "$TMP/c" > "$TMP/c3.log" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "correlate.jsonl: written by another configuration" "$TMP/c3.log" ||
  fail "another --truth-epochs: rc $rc, $(tail -1 "$TMP/c3.log")"
[ $fails -eq 0 ] && echo "correlate_study: all checks passed"
exit $((fails > 0))
