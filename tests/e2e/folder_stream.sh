#!/usr/bin/env bash
# A streamed image folder end to end: bench/decode_peer.py writes photo-like JPEGs into train/ (96) and
# val/ (32); `aws train --data folder,stream,size=32:DIR` trains ResNet-20 for 2 epochs on
# RandomResizedCrop batches decoded per step, writes result.json and model.ckpt, `aws eval` reads the
# test set through the same source and prints the same accuracy; two `aws search` runs on the streamed
# folder end with byte-identical policies; --preset paper-imagenet-resnet50 asks for --data in one line
# and runs ResNet-50 with policy LR 0.2 on the folder. Env: AWS_BIN, AWS_SOURCE_DIR. Needs /usr/bin/python3
# with numpy and Pillow (Debian).
set -euo pipefail
AWS_BIN=${AWS_BIN:-build/aws}
SRC=${AWS_SOURCE_DIR:-.}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 "$SRC/bench/decode_peer.py" --make "$TMP/data/train" --n 96
/usr/bin/python3 "$SRC/bench/decode_peer.py" --make "$TMP/data/val" --n 32
"$AWS_BIN" train --data "folder,stream,size=32:$TMP/data" --model resnet20 --epochs 2 --batch 16 --val 16 \
  --out "$TMP/run" --threads 2 >"$TMP/train.log" 2>&1 || { cat "$TMP/train.log"; echo "FAIL streamed training"; exit 1; }
acc=$(/usr/bin/python3 -c "import json; print('%.2f' % json.load(open('$TMP/run/result.json'))['final_test_acc'])")
"$AWS_BIN" eval --checkpoint "$TMP/run/model.ckpt" --threads 2 >"$TMP/eval.log" 2>&1 ||
  { cat "$TMP/eval.log"; echo "FAIL eval"; exit 1; }
grep -q "test accuracy $acc% on 32 " "$TMP/eval.log" || { cat "$TMP/eval.log"; echo "FAIL eval gave another accuracy than training's $acc%"; exit 1; }
echo "ok   streamed training and eval agree: test accuracy $acc% on 32 images"
# The search over the streamed folder: two runs give byte-identical policies (the decode ring changes
# nothing), and the ImageNet preset runs on it (ResNet-50, policy LR 0.2) once given the folder.
for r in s1 s2; do
  "$AWS_BIN" search --data "folder,stream,size=32:$TMP/data" --run "$TMP/$r" --stage1-epochs 1 --finetune-epochs 2 \
    --t-max 3 --val 32 --subset 0 --batch 16 --threads 2 >"$TMP/$r.log" 2>&1 ||
    { cat "$TMP/$r.log"; echo "FAIL streamed search $r"; exit 1; }
done
grep -q "decoding folder,stream,size=32:$TMP/data/train per batch into a ring of" "$TMP/s1.log" ||
  { cat "$TMP/s1.log"; echo "FAIL the search does not say it streams"; exit 1; }
cmp "$TMP/s1/policy.json" "$TMP/s2/policy.json" || { echo "FAIL two streamed searches differ"; exit 1; }
echo "ok   two streamed searches end with byte-identical policies"
rc=0
"$AWS_BIN" search --preset paper-imagenet-resnet50 --run "$TMP/p" >"$TMP/p.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$TMP/p.log")" -eq 1 ] &&
  grep -q "^aws: --data: --preset paper-imagenet-resnet50 names no dataset" "$TMP/p.log" ||
  { cat "$TMP/p.log"; echo "FAIL the ImageNet preset without --data should say so in one line (exit $rc)"; exit 1; }
"$AWS_BIN" search --preset paper-imagenet-resnet50 --data "folder,stream,size=32:$TMP/data" --run "$TMP/p" \
  --stage1-epochs 1 --finetune-epochs 1 --t-max 1 --val 32 --batch 16 --threads 2 >"$TMP/p.log" 2>&1 ||
  { cat "$TMP/p.log"; echo "FAIL the ImageNet preset on the folder"; exit 1; }
/usr/bin/python3 - "$TMP/p/config.json" <<'PY' || { echo "FAIL the ImageNet preset's configuration"; exit 1; }
import json, sys
c = json.load(open(sys.argv[1]))
want = {"model": "resnet50", "policy_lr": 0.2, "preset": "paper-imagenet-resnet50", "version": 4}
got = {k: c[k] for k in want}
assert got == want, got
PY
echo "ok   the ImageNet preset: one line without --data; ResNet-50 with policy LR 0.2 on the folder"
