#!/usr/bin/python3
"""awsaug (docs/PYTHON.md) next to torchvision 0.14, one process, the same images, images/s and the
ratio. The task: a batch of uint8 NHWC images → pad-crop + flip → an AutoAugment (CIFAR-10 policy) or
RandAugment (N 2, M 9) image operation, or none (row crop-flip: the floor of both sides) → normalized
float32 NCHW (or, with --dtype uint8, the augmented uint8 pixels on both sides), per image random draws. torchvision:
(a) per image in a loop (what per-image draws need today: one transform call per image on its CHW
uint8 tensor), and (b) one call on the whole batch (one draw shared by the batch: not the same task,
shown as the ceiling of batched torchvision). awsaug: one call per batch (its own Cutout included:
more work than the torchvision side). Threads: 1 (per core) and all cores, for both sides.
    PYTHONPATH=build/python /usr/bin/python3 bench/awsaug_bench.py [--batch 256] [--sizes 32,224]"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T

import awsaug


def best_rate(fn, images, reps):
    fn()  # warm-up: plans, allocator pools
    best = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = max(best, images / (time.perf_counter() - t0))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--sizes", default="32,224")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=("float32", "uint8"), default="float32",
                    help="the output: normalized float32 (default), or the augmented uint8 pixels on both sides")
    a = ap.parse_args()
    u8 = a.dtype == "uint8"
    cores = os.cpu_count()
    mean, std = [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]
    rows = []
    for size in (int(s) for s in a.sizes.split(",")):
        x = torch.from_numpy(np.random.RandomState(a.seed).randint(0, 256, (a.batch, size, size, 3), dtype=np.uint8))
        idx = torch.arange(a.batch)
        chw = x.permute(0, 3, 1, 2).contiguous()
        norm = T.Normalize(mean, std)
        # crop-flip: no image operation on either side (ours without its Cutout), the pass's floor: the
        # pad-crop, flip and the u8 -> normalized float32 write alone.
        for name, op, ours in (("crop-flip", None, "crop-flip"),
                               ("autoaugment", T.AutoAugment(T.AutoAugmentPolicy.CIFAR10), "autoaugment-cifar10"),
                               ("randaugment", T.RandAugment(2, 9), "randaugment-2-9")):
            pad = 4 * size // 32
            # .contiguous(): torchvision 0.14's tensor Equalize fails on the flipped view
            tv_one = T.Compose([T.RandomCrop(size, padding=pad), T.RandomHorizontalFlip(),
                                T.Lambda(lambda t: t.contiguous())] + ([op] if op else []))
            for threads in (1, cores):
                torch.set_num_threads(threads)
                aug = awsaug.Augmenter(ours, seed=a.seed, mean=mean, std=std, threads=threads)

                def per_image():
                    out = torch.empty(a.batch, 3, size, size, dtype=torch.uint8 if u8 else torch.float32)
                    for i in range(a.batch):
                        out[i] = tv_one(chw[i]) if u8 else norm(tv_one(chw[i]).float().div_(255))
                    return out

                def per_batch():
                    return tv_one(chw) if u8 else norm(tv_one(chw).float().div_(255))

                def ours_batch():
                    return torch.from_dlpack(aug.aug(x, idx, 0, layout="nchw", dtype=a.dtype))

                r = {"size": size, "policy": name, "threads": threads, "batch": a.batch, "dtype": a.dtype,
                     "torchvision_per_image": best_rate(per_image, a.batch, a.reps),
                     "torchvision_per_batch": best_rate(per_batch, a.batch, a.reps),
                     "awsaug": best_rate(ours_batch, a.batch, a.reps)}
                r["ratio_vs_per_image"] = r["awsaug"] / r["torchvision_per_image"]
                r["ratio_vs_per_batch"] = r["awsaug"] / r["torchvision_per_batch"]
                rows.append(r)
                print(f"{size:4d}px {name:12s} {threads} thread(s): awsaug {r['awsaug']:9.0f} img/s | torchvision "
                      f"per image {r['torchvision_per_image']:8.0f} ({r['ratio_vs_per_image']:5.1f}x) | per batch "
                      f"{r['torchvision_per_batch']:8.0f} ({r['ratio_vs_per_batch']:5.2f}x)", flush=True)
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "rows": rows}))


if __name__ == "__main__":
    main()
