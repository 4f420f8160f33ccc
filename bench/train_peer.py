#!/usr/bin/python3
"""Peer for the accuracy benchmark of issue 3: the same recipe as `aws train` in PyTorch, so the two
final test accuracies can be compared on one machine.

Recipe (both sides): Fashion-MNIST (full 60k train, 10k test), ResNet-20 (bench/torch_models.py, the
twin of ours: 1×1 conv + BN shortcuts, Kaiming fan_out, fc N(0, 1/in)), pad-4 crop + horizontal flip,
normalization from the training set, SGD Nesterov 0.9, weight decay 5e-4 on conv/linear weights only,
lr 0.1 cosine stepped per iteration to 0, batch 128 (last partial batch dropped), N epochs.
Prints one line per epoch and a final JSON line. Run with a python that has torch.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402


def read_idx(path):
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(dirname, split):
    x = read_idx(os.path.join(dirname, split + "-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(dirname, split + "-labels-idx1-ubyte.gz"))
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))


def init(model):
    for name, p in model.named_parameters():
        if name.endswith("conv.weight"):
            nn.init.kaiming_normal_(p, mode="fan_out", nonlinearity="relu")
        elif name == "fc.weight":
            nn.init.normal_(p, 0.0, 1.0 / p.shape[1])
        elif name.endswith("bias"):
            nn.init.zeros_(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    xtr, ytr = load(a.data_dir, "train")
    xte, yte = load(a.data_dir, "t10k")
    mean = xtr.float().div(255).mean().item()
    std = xtr.float().div(255).std(unbiased=False).item()
    xtr, ytr, xte, yte = xtr.to(dev), ytr.to(dev), xte.to(dev), yte.to(dev)
    model = torch_models.make("resnet20", 1, 10).to(dev).to(memory_format=torch.channels_last)
    init(model)
    decay = [p for n, p in model.named_parameters() if n.endswith("conv.weight") or n == "fc.weight"]
    no_decay = [p for n, p in model.named_parameters() if not (n.endswith("conv.weight") or n == "fc.weight")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=a.lr, momentum=0.9, nesterov=True)
    steps = xtr.shape[0] // a.batch
    total = steps * a.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda it: 0.5 * (1 + math.cos(math.pi * min(it, total) / total)))

    def prep(xb):  # uint8 [B,28,28] → normalized float [B,1,28,28] channels_last
        return ((xb.float() / 255 - mean) / std).unsqueeze(1).contiguous(memory_format=torch.channels_last)

    def test_acc():
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xte.shape[0], 1000):
                correct += (model(prep(xte[i:i + 1000])).argmax(1) == yte[i:i + 1000]).sum().item()
        model.train()
        return 100.0 * correct / xte.shape[0]

    t0 = time.time()
    acc = 0.0
    for e in range(a.epochs):
        perm = torch.randperm(xtr.shape[0], device=dev)
        for s in range(steps):
            idx = perm[s * a.batch:(s + 1) * a.batch]
            xb = F.pad(xtr[idx], (4, 4, 4, 4))
            b = xb.shape[0]
            oys = torch.randint(0, 9, (b,), device=dev)
            oxs = torch.randint(0, 9, (b,), device=dev)
            rows = oys[:, None] + torch.arange(28, device=dev)[None]
            cols = oxs[:, None] + torch.arange(28, device=dev)[None]
            flip = torch.rand(b, device=dev) < 0.5
            cols = torch.where(flip[:, None], cols.flip(1), cols)
            xb = xb[torch.arange(b, device=dev)[:, None, None], rows[:, :, None], cols[:, None, :]]
            loss = F.cross_entropy(model(prep(xb)), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        acc = test_acc()
        print("epoch %d loss %.4f test %.2f%% (%.0f s)" % (e + 1, loss.item(), acc, time.time() - t0), flush=True)
    print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "device": a.device, "epochs": a.epochs,
                      "final_test_acc": acc, "seconds": time.time() - t0}))


if __name__ == "__main__":
    main()
