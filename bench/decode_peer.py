#!/usr/bin/python3
"""Peer for `aws bench decode`: torchvision 0.14's ImageFolder with RandomResizedCrop(224) +
RandomHorizontalFlip + PILToTensor (the PIL loader: decode, convert("RGB"), crop, resize, flip), images
per second in one process on one thread (what one DataLoader worker does), and through a DataLoader
with --workers workers. Also `--make DIR --n N`: writes N photo-like JPEGs (500x375, quality 90, as
ImageNet's typical size) into DIR/<class>/ for the benchmark. Run with Debian's /usr/bin/python3.
Prints one JSON line."""
import argparse, json, os, time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image
from torchvision.datasets import ImageFolder


def make(root, n, seed=0):
    rng = np.random.RandomState(seed)
    h, w = 375, 500
    y, x = np.mgrid[0:h, 0:w]
    for i in range(n):
        fx, fy, ph = rng.uniform(10, 60), rng.uniform(10, 60), rng.uniform(0, 6.3)
        base = np.stack([128 + 100 * np.sin(x / fx + ph), 128 + 100 * np.cos(y / fy - ph), (x * (i % 7 + 1) + y) % 256], -1)
        img = np.clip(base + rng.randint(-25, 26, base.shape), 0, 255).astype(np.uint8)
        d = os.path.join(root, "c%d" % (i % 4))
        os.makedirs(d, exist_ok=True)
        Image.fromarray(img, "RGB").save(os.path.join(d, "%05d.jpg" % i), quality=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", help="the folder to read (ImageFolder layout)")
    ap.add_argument("--make", help="write a synthetic folder here and exit")
    ap.add_argument("--n", type=int, default=256, help="images (--make: to write; else: per measurement)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--reps", type=int, default=2)
    a = ap.parse_args()
    if a.make:
        make(a.make, a.n)
        return
    torch.set_num_threads(1)
    tf = T.Compose([T.RandomResizedCrop(a.size), T.RandomHorizontalFlip(), T.PILToTensor()])
    ds = ImageFolder(a.root, transform=tf)
    n = min(a.n, len(ds))
    one = 0.0
    for _ in range(a.reps):
        t0 = time.perf_counter()
        for i in range(n):
            ds[i]
        one = max(one, n / (time.perf_counter() - t0))
    sub = torch.utils.data.Subset(ds, list(range(n)))
    many = 0.0
    for _ in range(a.reps):
        dl = torch.utils.data.DataLoader(sub, batch_size=32, num_workers=a.workers, shuffle=False)
        t0 = time.perf_counter()
        for _ in dl:
            pass
        many = max(many, n / (time.perf_counter() - t0))
    print(json.dumps({"torchvision": torchvision.__version__, "one_thread": one, "dataloader": many,
                      "workers": a.workers, "images": n}))


if __name__ == "__main__":
    main()
