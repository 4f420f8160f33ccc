#!/usr/bin/python3
"""Peer for `aws bench augment`: torchvision 0.14 AutoAugment (CIFAR-10 policy) images/s, on PIL
images and on uint8 tensors, for CIFAR-size RGB (32x32x3) and Fashion-MNIST-size gray (28x28x1);
also the whole torchvision training transform on PIL (crop+flip+AutoAugment+ToTensor+Normalize+
RandomErasing as a Cutout stand-in). One process, one thread (torch.set_num_threads(1)), as a
DataLoader worker runs. Prints one JSON line. Run with Debian's /usr/bin/python3."""
import argparse, json, time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image


def rate(fn, items, reps):
    best = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        for x in items:
            fn(x)
        best = max(best, len(items) / (time.perf_counter() - t0))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="images per measurement")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.RandomState(a.seed)
    aa = T.AutoAugment(T.AutoAugmentPolicy.CIFAR10)
    out = {"torchvision": torchvision.__version__, "torch": torch.__version__, "n": a.n, "threads": 1}
    for tag, shape, mode in (("rgb32", (32, 32, 3), "RGB"), ("gray28", (28, 28), "L")):
        arr = rng.randint(0, 256, (a.n,) + shape, dtype=np.uint8)
        pil = [Image.fromarray(x, mode) for x in arr]
        ten = [torch.from_numpy(x if x.ndim == 3 else x[:, :, None]).permute(2, 0, 1).contiguous() for x in arr]
        out[f"{tag}_pil_autoaugment"] = rate(aa, pil, a.reps)
        out[f"{tag}_tensor_autoaugment"] = rate(aa, ten, a.reps)
        c = 3 if mode == "RGB" else 1
        full = T.Compose([T.RandomCrop(shape[0], padding=4), T.RandomHorizontalFlip(), aa, T.ToTensor(),
                          T.Normalize([0.5] * c, [0.25] * c), T.RandomErasing(p=1.0, scale=(0.25, 0.25), ratio=(1, 1))])
        out[f"{tag}_pil_full_pipeline"] = rate(full, pil, a.reps)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
