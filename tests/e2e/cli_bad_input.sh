#!/usr/bin/env bash
# Every class of bad input to `aws train` / `aws eval` / `aws augment` ends with exit code 2 and a first stderr line
# that names the flag, file or field at fault; nothing crashes. (CLI11's own parse errors add a
# second line, "Run with --help ...": that and only that may follow.)
# Env: AWS_BIN (the aws binary). Uses the Debian Fashion-MNIST files for the dataset cases.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
DATA=/usr/share/datasets/fashion-mnist
TMP=$(mktemp -d)
export AWS_CACHE_DIR="$TMP/cache"  # image folders decoded here cache here, not in ~/.cache
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
expect "bad --device GPU index" '--device.*cuda:x' -- train --device cuda:x $OUT
expect "bad search --device" '--device.*cuda:-1' -- search --device cuda:-1 --run $TMP/srun
expect "negative --epochs" '--epochs' -- train --epochs -3 $OUT
expect "--batch 0" '--batch' -- train --batch 0 $OUT
expect "missing dataset dir" '/nonexistent' -- train --data-dir /nonexistent $OUT
expect "unknown dataset" '--data.*mnist-nope|mnist-nope' -- train --data mnist-nope $OUT
expect "--zero-init-residual without bottlenecks" "--zero-init-residual: model 'resnet20' has no bottleneck blocks" -- train --zero-init-residual $OUT
expect "missing image folder" '--data folder:/nonexistent-folder: /nonexistent-folder: no such folder' -- train --data folder:/nonexistent-folder $OUT
expect "unknown folder option" "--data folder,big:/tmp: unknown folder option 'big'" -- train --data folder,big:/tmp $OUT
mkdir -p "$TMP/imgs/a"
echo junk >"$TMP/imgs/a/x.jpg"
expect "a folder image that is not one" 'imgs/a/x\.jpg: not a JPEG or PNG file' -- train --data "folder:$TMP/imgs" $OUT
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

# ---- flags (issue 11 §5): a valued flag without its value; flags that do not apply -------------
expect "flag without a value (last)" '^aws: --lr needs a value$' -- train --lr
expect "flag without a value (another flag follows)" '^aws: --lr needs a value$' -- train --lr --epochs 3 $OUT
expect "--epochs without a value" '^aws: --epochs needs a value$' -- train --epochs --lr 0.1 $OUT

# PNG inputs written by hand (stdlib python: zlib + struct): mkpng PATH W H COLOURTYPE ROWS_OF_DATA
mkpng() {
  /usr/bin/python3 - "$@" <<'PY'
import random, struct, sys, zlib
path, w, h, ct, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ch = {0: 1, 2: 3}[ct]
rng = random.Random(5)
raw = b"".join(b"\0" + bytes(rng.randrange(256) for _ in range(w * ch)) for _ in range(rows))
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
ihdr = struct.pack(">IIBBBBB", w, h, 8, ct, 0, 0, 0)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
if "$AWS_BIN" augment apply --element 0 /dev/null "$TMP/x.png" 2>&1 | grep -q "built without PNG"; then
  echo "note this aws was built without PNG: the PNG cases are skipped"
else
  mkpng "$TMP/small.png" 16 16 0 16
  mkpng "$TMP/noise.png" 200 200 2 200
  mkpng "$TMP/huge.png" 20000 20000 2 1
  expect "--sign - on an unsigned element" '--sign -: element AutoContrast is unsigned' -- augment apply --element AutoContrast --sign - "$TMP/small.png" "$TMP/o.png"
  expect "--signs without --pair" '--signs \+,-: --signs goes with --pair' -- augment apply --element Rotate_mag10 --signs +,- "$TMP/small.png" "$TMP/o.png"
  expect "--sign with --pair" '--sign -: --sign goes with --element' -- augment apply --pair 0,1 --sign - "$TMP/small.png" "$TMP/o.png"
  expect "--signs - on an unsigned pair element" '--signs -: element Invert is unsigned' -- augment apply --pair Rotate_mag10,Invert --signs +,- "$TMP/small.png" "$TMP/o.png"
  mkdir -p "$TMP/imgs2/a" && cp "$TMP/small.png" "$TMP/imgs2/a/"
  expect "a folder without a test set" 'no test set \(.*imgs2 has no train/ and val/ folders\)' -- train --data "folder:$TMP/imgs2" $OUT
  # A 20000x20000 RGB PNG (1.2 GB decoded) is refused from its header, before any pixel allocation.
  start=$(date +%s%N)
  expect "PNG over the size cap" 'huge\.png: image size 20000x20000 \(from its header\) is outside 1\.\.178956970 pixels' -- augment apply --element 0 "$TMP/huge.png" "$TMP/o.png"
  echo "     (refused in $(( ($(date +%s%N) - start) / 1000000 )) ms)"
  # Outputs that are not regular files are refused and left as they are.
  mkfifo "$TMP/fifo.png"
  expect "input is a FIFO" 'fifo\.png: not a regular file' -- augment apply --element 0 "$TMP/fifo.png" "$TMP/o.png"
  expect "output is a FIFO" 'fifo\.png: is a FIFO; aws writes only regular files' -- augment apply --element 0 "$TMP/small.png" "$TMP/fifo.png"
  ln -s "$TMP/small.png" "$TMP/link.png"
  expect "output is a symbolic link" 'link\.png: is a symbolic link' -- augment apply --element 0 "$TMP/small.png" "$TMP/link.png"
  expect "output is a directory" "$TMP: is a directory" -- augment apply --element 0 "$TMP/small.png" "$TMP"
  # A full disk (a 64 KiB tmpfs; root only): the old output survives, no temporary file is left.
  mkdir -p "$TMP/full"
  if mount -t tmpfs -o size=64k tmpfs "$TMP/full" 2>/dev/null; then
    "$AWS_BIN" augment apply --element 0 "$TMP/small.png" "$TMP/full/out.png" || { echo "FAIL apply to the tmpfs"; fails=$((fails + 1)); }
    before=$(md5sum <"$TMP/full/out.png")
    expect "disk full (augment apply)" 'full/out\.png: write failed \(No space left on device\)' -- augment apply --element 0 "$TMP/noise.png" "$TMP/full/out.png"
    if [[ "$(md5sum <"$TMP/full/out.png")" != "$before" || "$(ls -A "$TMP/full")" != "out.png" ]]; then
      echo "FAIL disk full: the old output changed or debris was left: $(ls -A "$TMP/full")"; fails=$((fails + 1))
    else
      echo "ok   disk full: the old out.png is intact and nothing else is in the folder"
    fi
    umount "$TMP/full"
  else
    echo "note mount of a 64 KiB tmpfs refused (not root?): the disk-full case is skipped"
  fi
fi
# Exports and the policy writer: a device node is never replaced (the /dev/null case, made here).
if mknod "$TMP/null" c 1 3 2>/dev/null; then
  expect "policy export onto a device" 'null: is a character device' -- augment export --policy uniform --out "$TMP/null"
  [[ -c "$TMP/null" ]] || { echo "FAIL the device node was replaced"; fails=$((fails + 1)); }
fi
# --out of `aws train` pointing at a file: an OS error, exit 2, naming the path.
: >"$TMP/afile"
expect "--out is a file" "afile" -- train --epochs 1 --subset 256 --batch 64 --out "$TMP/afile"

# A gzip bomb IDX: the header declares 60000 images of 28x28 (47 MB), the stream inflates to 400 MB.
/usr/bin/python3 - "$TMP/fm/train-images-idx3-ubyte.gz" <<'PY'
import gzip, struct, sys
with gzip.open(sys.argv[1], "wb", compresslevel=1) as f:
    f.write(struct.pack(">IIII", 0x803, 60000, 28, 28))
    zeros = bytes(1 << 20)
    for _ in range(400):
        f.write(zeros)
PY
cp "$DATA/t10k-labels-idx1-ubyte.gz" "$TMP/fm/"
start=$(date +%s%N)
expect "gzip IDX inflating past its header" 'train-images-idx3-ubyte\.gz: inflates to more than 47040016 bytes \(its IDX header declares 60000x28x28' -- train --data-dir "$TMP/fm" $OUT
echo "     (refused in $(( ($(date +%s%N) - start) / 1000000 )) ms)"

if [[ $fails -ne 0 ]]; then
  echo "$fails bad-input case(s) failed"
  exit 1
fi
echo "all bad-input cases exit 2 with one line naming the culprit"
