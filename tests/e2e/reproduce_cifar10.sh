#!/usr/bin/env bash
# scripts/reproduce-cifar10 at toy scale on CIFAR-10 binary files this test writes (random pixels,
# labels i mod 10): a folder without the files is refused with exit 2 naming the missing file; a toy
# run (ResNet-20, 128 images, one epoch, two seeds) ends with the paired summary of the searched policy
# against crop-flip; a rerun trains nothing again. Env: AWS_BIN.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
mkdir -p "$TMP/cifar"
out=$(AWS_BIN=$AWS_BIN "$ROOT/scripts/reproduce-cifar10" "$TMP/cifar" "$TMP/out" 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ $out == *"data_batch_1.bin: missing"* ]] || fail "empty folder: rc $rc, $out"
/usr/bin/python3 - "$TMP/cifar" <<'PY'
import os, random, sys
random.seed(5)
for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        for i in range(10000):
            f.write(bytes([i % 10]) + random.randbytes(3072))
PY
export AWS_BIN AWS_DEVICE=cpu AWS_MODEL=resnet20 AWS_SEEDS="0 1"
export AWS_SEARCH_ARGS="--subset 128 --val 64 --batch 32 --stage1-epochs 1 --t-max 2 --finetune-epochs 1 --threads 1"
export AWS_TRAIN_ARGS="--epochs 1 --subset 128 --batch 32 --threads 1"
"$ROOT/scripts/reproduce-cifar10" "$TMP/cifar" "$TMP/out" > "$TMP/run.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -20 "$TMP/run.log"; fail "toy run exited $rc"; }
for f in search/policy.json final/aws-s0/result.json final/aws-s1/result.json final/crop-flip-s1/result.json summary.txt; do
  [ -f "$TMP/out/$f" ] || fail "missing $f"
done
grep -q "aws - crop-flip: " "$TMP/out/summary.txt" || fail "no paired difference in summary.txt: $(cat "$TMP/out/summary.txt")"
grep -q "AWS 2.91" "$TMP/out/summary.txt" || fail "the paper's figures are not in summary.txt"
"$ROOT/scripts/reproduce-cifar10" "$TMP/cifar" "$TMP/out" > "$TMP/rerun.log" 2>&1 || fail "rerun exited $?"
grep -q "final training" "$TMP/rerun.log" && fail "the rerun trained again"
[ $fails -eq 0 ] && echo "reproduce_cifar10: all checks passed"
exit $((fails > 0))
