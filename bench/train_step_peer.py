#!/usr/bin/python3
"""Peer for `aws bench train-step`: the same full train step in PyTorch, timed the same way.

One step = draw a batch from a synthetic uint8 dataset held on the device (NHWC) → pad-4 random crop
+ random horizontal flip as tensor ops on the uint8 batch → /255 and normalize → channels_last model
(bench/torch_models.py, the twins of our ResNets) → cross-entropy → backward → SGD (momentum 0.9,
Nesterov, weight decay 5e-4 on conv/linear weights only, as ours) → loss and top-1 count read back to
the host (our loop reads both every step, which also synchronizes a GPU).

cpu: torch.set_num_threads(--threads), fp32. cuda: data resident on the GPU, crop/flip on GPU tensors,
eager autocast (--amp bf16 by default; fp16 adds a GradScaler; off = fp32), optional --compile
(torch.compile of the model; its compile time falls in the warm-up steps).

Prints progress on stderr and one JSON line on stdout (the last line). Run with /usr/bin/python3.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402


def parse_shape(s):
    try:
        h, w, c = (int(v) for v in s.lower().split("x"))
    except ValueError:
        raise SystemExit("--data-shape: expected HxWxC such as 28x28x1, got %r" % s)
    return h, w, c


def crop_flip(xb, pad, gen_dev):
    """Pad-`pad` random crop and random horizontal flip of a uint8 batch [B,H,W,C], per image."""
    b, h, w, _ = xb.shape
    dev = xb.device
    xp = F.pad(xb, (0, 0, pad, pad, pad, pad))  # zero padding of W and H
    oy = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=gen_dev)
    ox = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=gen_dev)
    flip = torch.rand(b, device=dev, generator=gen_dev) < 0.5
    ar_h = torch.arange(h, device=dev)
    ar_w = torch.arange(w, device=dev)
    rows = oy[:, None] + ar_h[None, :]                                   # [B,H]
    cols = torch.where(flip[:, None], ar_w.flip(0)[None, :], ar_w[None, :]) + ox[:, None]  # [B,W]
    bi = torch.arange(b, device=dev)[:, None, None]
    return xp[bi, rows[:, :, None], cols[:, None, :]]                   # [B,H,W,C] uint8


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="resnet20")
    ap.add_argument("--data-shape", default="28x28x1", help="HxWxC")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20, help="timed steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--amp", default="bf16", choices=["bf16", "fp16", "off"], help="cuda only")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (torch >= 2)")
    ap.add_argument("--images", type=int, default=0, help="synthetic dataset size (0: 8 batches)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--search", action="store_true",
                    help="the search's configuration (aws bench search-step): clip_grad_norm_ 3.0, label smoothing "
                         "0.05, BN momentum 0.5; augmentation stays crop+flip (our pair-ops have no torch twin)")
    a = ap.parse_args()
    if a.batch < 1 or a.steps < 1 or a.warmup < 0:
        raise SystemExit("--batch and --steps must be positive, --warmup >= 0")
    h, w, c = parse_shape(a.data_shape)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this torch build has no usable CUDA device")
    torch.manual_seed(a.seed)
    torch.backends.cudnn.benchmark = True

    # The synthetic dataset: uint8 NHWC on the device, random labels.
    n = a.images if a.images > 0 else 8 * a.batch
    g = torch.Generator().manual_seed(a.seed)
    data = torch.randint(0, 256, (n, h, w, c), dtype=torch.uint8, generator=g).to(dev)
    labels = torch.randint(0, 10, (n,), generator=g).to(dev)
    mean = (data.float() / 255).mean(dim=(0, 1, 2))
    std = (data.float() / 255).std(dim=(0, 1, 2))
    gen_dev = torch.Generator(device=dev).manual_seed(a.seed + 1)

    model = torch_models.make(a.model, c, 10, momentum=0.5 if a.search else 0.1).to(dev)
    model = model.to(memory_format=torch.channels_last)
    model.train()
    decay = [p for name, p in model.named_parameters() if name.endswith("conv.weight") or name == "fc.weight"]
    no_decay = [p for name, p in model.named_parameters() if not (name.endswith("conv.weight") or name == "fc.weight")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=0.1, momentum=0.9, nesterov=True)
    fwd = torch.compile(model) if a.compile else model

    use_amp = dev.type == "cuda" and a.amp != "off"
    amp_dtype = torch.float16 if a.amp == "fp16" else torch.bfloat16
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp and a.amp == "fp16")

    def step():
        idx = torch.randint(0, n, (a.batch,), device=dev, generator=gen_dev)
        xb = crop_flip(data[idx], 4, gen_dev)
        x = ((xb.float() / 255 - mean) / std).permute(0, 3, 1, 2)  # NCHW view of NHWC memory = channels_last
        y = labels[idx]
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=dev.type, dtype=amp_dtype, enabled=use_amp):
            out = fwd(x)
            loss = F.cross_entropy(out.float(), y, label_smoothing=0.05 if a.search else 0.0)
        scaler.scale(loss).backward()
        if a.search:
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
        scaler.step(opt)
        scaler.update()
        correct = (out.argmax(1) == y).sum()
        return loss.item(), int(correct.item())

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    mean_t = statistics.fmean(times)
    res = {
        "torch": torch.__version__, "model": a.model, "data_shape": "%dx%dx%d" % (h, w, c), "batch": a.batch,
        "device": a.device, "threads": torch.get_num_threads(), "amp": a.amp if use_amp else "off",
        "compile": a.compile, "search": a.search, "steps": a.steps, "warmup": a.warmup,
        "median_ms": med * 1e3, "mean_ms": mean_t * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3,
        "images_per_s": a.batch / med,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
