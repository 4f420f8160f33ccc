#!/usr/bin/env bash
# A class folder of PNGs is the same data as the IDX files it was written from: Fashion-MNIST's first
# 1,500 training and 300 test images (stably ordered by class, so that ImageFolder's class-then-name
# order is the IDX order) written both as IDX files and as folder/{train,val}/<class>/<n>.png; a tiny
# search on each must export the same policies (equal "probs" and "top" in policy.json and in
# policy-last.json, whose θ has moved away from uniform; "source" names the data, so the files
# differ there), and the folder leaves an entry in the decode cache.
# Env: AWS_BIN (the aws binary). Needs /usr/bin/python3 with numpy and Pillow (Debian).
set -euo pipefail
AWS_BIN=${AWS_BIN:-build/aws}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export AWS_CACHE_DIR="$TMP/cache"

/usr/bin/python3 - "$TMP" <<'PY'
import gzip, os, struct, sys
import numpy as np
from PIL import Image
src, out = '/usr/share/datasets/fashion-mnist', sys.argv[1]
def read(name):
    p = os.path.join(src, name)
    return gzip.open(p + '.gz').read() if os.path.exists(p + '.gz') else open(p, 'rb').read()
names = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot']
os.makedirs(out + '/idx')
for prefix, n, split in (('train', 1500, 'train'), ('t10k', 300, 'val')):
    img = np.frombuffer(read(prefix + '-images-idx3-ubyte'), np.uint8, offset=16).reshape(-1, 28, 28)[:n]
    lab = np.frombuffer(read(prefix + '-labels-idx1-ubyte'), np.uint8, offset=8)[:n]
    order = np.argsort(lab, kind='stable')
    img, lab = img[order], lab[order]
    open(f'{out}/idx/{prefix}-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 2051, n, 28, 28) + img.tobytes())
    open(f'{out}/idx/{prefix}-labels-idx1-ubyte', 'wb').write(struct.pack('>II', 2049, n) + lab.tobytes())
    for i in range(n):
        d = f'{out}/folder/{split}/{lab[i]}_{names[lab[i]]}'
        os.makedirs(d, exist_ok=True)
        Image.fromarray(img[i], 'L').save(f'{d}/{i:05d}.png')
PY

args=(search --preset demo --seed 0 --subset 1000 --val 300 --stage1-epochs 3 --finetune-epochs 1 --t-max 3
      --threads 2)
"$AWS_BIN" "${args[@]}" --data fashion-mnist --data-dir "$TMP/idx" --run "$TMP/r-idx" >"$TMP/idx.log" 2>&1 ||
  { cat "$TMP/idx.log"; echo "FAIL the IDX search"; exit 1; }
"$AWS_BIN" "${args[@]}" --data "folder:$TMP/folder" --run "$TMP/r-folder" >"$TMP/folder.log" 2>&1 ||
  { cat "$TMP/folder.log"; echo "FAIL the folder search"; exit 1; }
ls "$AWS_CACHE_DIR"/folder-*.awsc >/dev/null || { echo "FAIL no cache entry in $AWS_CACHE_DIR"; exit 1; }
/usr/bin/python3 - "$TMP" <<'PY'
import json, sys
for name in ('policy.json', 'policy-last.json'):
    a = json.load(open(sys.argv[1] + '/r-idx/' + name))
    b = json.load(open(sys.argv[1] + '/r-folder/' + name))
    assert a['probs'] == b['probs'], name + ': probs differ'
    assert a['top'] == b['top'], name + ': top pairs differ'
    assert a['source'] != b['source'], name + ': the sources should name different data'
    spread = max(a['probs']) / min(a['probs'])
    print(f"ok   {name}: the folder's search exported the IDX search's policy (max/min p {spread:.4f})")
assert spread > 1.0001, 'policy-last.json is still uniform: the comparison would prove nothing'

PY
