#!/usr/bin/python3
"""Peer for `aws bench elements`: microseconds per image of each of the 36 augmentation elements as
Pillow computes them (the PIL calls of the authors' code, tests/support/pillow_space.py: the same
reference the oracle tests compare us with), sign +1, on one random uint8 image of the given size, one
thread. Best of --reps measurements of --n applications each. Prints one JSON line. Run with Debian's
/usr/bin/python3."""
import argparse
import json
import os
import sys
import time

import numpy as np
import PIL
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
import pillow_space  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--channels", type=int, choices=(1, 3), default=3)
    ap.add_argument("--n", type=int, default=20, help="applications per measurement")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    shape = (a.size, a.size, 3) if a.channels == 3 else (a.size, a.size)
    img = Image.fromarray(np.random.RandomState(0).randint(0, 256, shape, dtype=np.uint8))
    us = {}
    for name, op, m in pillow_space.ELS:
        pillow_space.apply(img, op, m, 1)  # warm-up
        best = float("inf")
        for _ in range(a.reps):
            t0 = time.perf_counter()
            for _ in range(a.n):
                pillow_space.apply(img, op, m, 1)
            best = min(best, (time.perf_counter() - t0) / a.n * 1e6)
        us[name] = best
    print(json.dumps({"pillow": PIL.__version__, "size": a.size, "channels": a.channels, "us": us}))


if __name__ == "__main__":
    main()
