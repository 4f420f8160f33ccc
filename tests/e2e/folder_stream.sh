#!/usr/bin/env bash
# A streamed image folder end to end: bench/decode_peer.py writes photo-like JPEGs into train/ (96) and
# val/ (32); `aws train --data folder,stream,size=32:DIR` trains ResNet-20 for 2 epochs on
# RandomResizedCrop batches decoded per step, writes result.json and model.ckpt, `aws eval` reads the
# test set through the same source and prints the same accuracy; `aws search` refuses a streamed folder
# with exit code 2. Env: AWS_BIN, AWS_SOURCE_DIR. Needs /usr/bin/python3 with numpy and Pillow (Debian).
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
rc=0
"$AWS_BIN" search --data "folder,stream:$TMP/data" --run "$TMP/s" >"$TMP/search.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "does not stream image folders yet" "$TMP/search.log" ||
  { cat "$TMP/search.log"; echo "FAIL the search should refuse a streamed folder (exit $rc)"; exit 1; }
echo "ok   the search refuses a streamed folder with one line"
