#!/usr/bin/python3
"""awsaug, the Python door to the augmentation pass (docs/PYTHON.md), under Debian's /usr/bin/python3
with python3-torch 1.13 and Pillow 9.4: Pillow-exact pixels for every element (recomposed from the
returned draws by tests/support/pillow_space.py), NumPy and torch producers, layouts, out=, gather=,
one clear exception per bad input, no leak over 10,000 calls, docs/PYTHON.md's example executed, and
bench/awsaug_bench.py run at a tiny size.
Run by ctest (test python_awsaug) with PYTHONPATH at the build's python/ folder. Seeds are printed."""
import os
import re
import sys
import unittest

import numpy as np
import torch

SRC = os.environ.get("AWS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "support"))
import awsaug  # noqa: E402
try:
    from pillow_space import recompose  # noqa: E402
except ImportError:  # a machine without Pillow (the GPU machine) skips the Pillow cases, when allowed
    if os.environ.get("AWS_ALLOW_NO_PILLOW") != "1":
        raise
    recompose = None

SEED = int(os.environ.get("AWS_TEST_SEED", "20261203"))
print(f"test_awsaug: seed {SEED} (AWS_TEST_SEED to change)")


def images(n, h, w, c, seed):
    """Random images, every other one low-contrast so AutoContrast and Equalize do real work."""
    r = np.random.RandomState(seed)
    out = np.empty((n, h, w, c), np.uint8)
    for i in range(n):
        lo, span = (r.randint(0, 200), 1 + r.randint(0, 40)) if i % 2 else (0, 256)
        out[i] = lo + r.randint(0, span, (h, w, c))
    return out


def draws_table(d):
    keys = ("crop_x", "crop_y", "flip", "op1", "op2", "pair", "sign1", "sign2", "cut_y", "cut_x")
    return np.stack([d[k] for k in keys], axis=1)


@unittest.skipIf(recompose is None, "no Pillow (AWS_ALLOW_NO_PILLOW=1)")
class PillowExact(unittest.TestCase):
    def check(self, c, policy, h, w):
        x = images(256, h, w, c, SEED + c)
        idx = np.random.RandomState(SEED).permutation(100000)[:256]  # dataset indices key the draws
        mean, std = [0.3, 0.4, 0.5], [0.2, 0.25, 0.3]
        a = awsaug.Augmenter(policy, seed=SEED, mean=mean, std=std)
        f = np.from_dlpack(a.aug(x, idx, 5))
        d = draws_table(a.draws())
        u = np.from_dlpack(a.aug(x, idx, 5, dtype="uint8"))
        self.assertTrue((draws_table(a.draws()) == d).all(), "the same key draws the same")
        base = a.base(h, w)
        pad, cut = base["crop_pad"], base["cutout"]
        ref_u8, ref_f = recompose(x, np.arange(len(x)), d, pad, cut, mean, std)
        self.assertEqual(int((u != ref_u8).sum()), 0, f"uint8 pixels differ from Pillow ({policy}, c={c})")
        self.assertLessEqual(float(np.abs(f - ref_f).max()), 1e-6)
        return d

    def test_every_element_gray_and_rgb(self):
        for c in (1, 3):
            d = self.check(c, "uniform", 14, 13)
            used = set(d[:, 3]) | set(d[:, 4])
            self.assertTrue(set(range(36)) <= used, f"elements never drawn: {sorted(set(range(36)) - used)}")

    def test_other_policies(self):
        self.check(3, "crop-flip", 12, 12)
        self.check(1, "autoaugment-cifar10", 12, 12)
        self.assertEqual(awsaug.Augmenter("crop-flip").base(32, 32), {"crop_pad": 4, "flip": True, "cutout": 0})
        self.assertEqual(awsaug.Augmenter("uniform").base(28, 28)["cutout"], 14)


class Producers(unittest.TestCase):
    def setUp(self):
        self.x = images(8, 10, 9, 3, SEED)
        self.a = awsaug.Augmenter("uniform", seed=1)

    def test_numpy_and_torch_agree(self):
        n = np.from_dlpack(self.a.aug(self.x, list(range(8)), 2))
        t = torch.from_dlpack(self.a.aug(torch.from_numpy(self.x), torch.arange(8), 2))
        self.assertTrue(np.array_equal(n, t.numpy()))
        self.assertEqual(tuple(t.shape), (8, 10, 9, 3))
        self.assertEqual(t.dtype, torch.float32)

    def test_nchw_is_a_channels_last_view(self):
        nhwc = torch.from_dlpack(self.a.aug(self.x, range(8), 0))
        nchw = torch.from_dlpack(self.a.aug(self.x, range(8), 0, layout="nchw"))
        self.assertEqual(tuple(nchw.shape), (8, 3, 10, 9))
        self.assertTrue(nchw.is_contiguous(memory_format=torch.channels_last))
        self.assertTrue(torch.equal(nchw.permute(0, 2, 3, 1), nhwc))

    def test_out_is_filled_in_place(self):
        out = torch.full((8, 10, 9, 3), -7.0)
        self.assertIs(self.a.aug(self.x, range(8), 0, out=out), out)
        self.assertTrue(torch.equal(out, torch.from_dlpack(self.a.aug(self.x, range(8), 0))))
        o8 = np.zeros((8, 10, 9, 3), np.uint8)
        self.a.aug(self.x, range(8), 0, out=o8, dtype="uint8")
        self.assertTrue(np.array_equal(o8, np.from_dlpack(self.a.aug(self.x, range(8), 0, dtype="uint8"))))

    def test_draws_follow_the_dataset_index_not_the_position(self):
        idx = np.array([5, 3, 9, 1])
        one = np.from_dlpack(self.a.aug(self.x[:4], idx, 3))
        rev = np.from_dlpack(self.a.aug(self.x[:4][::-1].copy(), idx[::-1], 3))
        self.assertTrue(np.array_equal(one, rev[::-1]))
        other_epoch = np.from_dlpack(self.a.aug(self.x[:4], idx, 4))
        self.assertFalse(np.array_equal(one, other_epoch))

    def test_a_held_batch_is_never_reused_a_freed_one_is(self):
        t1 = torch.from_dlpack(self.a.aug(self.x, range(8), 0))
        copy = t1.clone()
        t2 = torch.from_dlpack(self.a.aug(self.x, range(8), 1))  # t1 still held: a new buffer
        self.assertTrue(torch.equal(t1, copy))
        self.assertNotEqual(t1.data_ptr(), t2.data_ptr())
        freed = t1.data_ptr()
        del t1
        t3 = torch.from_dlpack(self.a.aug(self.x, range(8), 2))
        self.assertEqual(t3.data_ptr(), freed)  # the pool hands the freed batch out again
        self.assertTrue(torch.equal(t2, torch.from_dlpack(self.a.aug(self.x, range(8), 1))))

    def test_gather_selects_rows(self):
        idx = [7, 2, 2, 5]
        g = np.from_dlpack(self.a.aug(self.x, idx, 1, gather=True))
        b = np.from_dlpack(self.a.aug(self.x[idx], idx, 1))
        self.assertTrue(np.array_equal(g, b))


class BadDevice:
    """A producer whose __dlpack_device__ is not (type, id)."""
    def __dlpack_device__(self):
        return "cpu"

    def __dlpack__(self, stream=None):
        raise AssertionError("not reached")


class Errors(unittest.TestCase):
    def test_each_bad_input_is_one_clear_exception(self):
        a = awsaug.Augmenter("uniform")
        x = images(4, 8, 8, 3, SEED)
        cases = [
            (TypeError, "images is float32", lambda: a.aug(x.astype(np.float32), range(4), 0)),
            (ValueError, "3 dimensions", lambda: a.aug(x[..., 0], range(4), 0)),
            (ValueError, "channels", lambda: a.aug(np.zeros((4, 8, 8, 2), np.uint8), range(4), 0)),
            (ValueError, "not contiguous", lambda: a.aug(x[:, ::2], range(4), 0)),
            (ValueError, "not contiguous", lambda: a.aug(torch.from_numpy(x).permute(0, 2, 1, 3), range(4), 0)),
            (TypeError, "__dlpack__", lambda: a.aug(x.tolist(), range(4), 0)),
            (ValueError, "3 indices", lambda: a.aug(x, range(3), 0)),
            (ValueError, "indices[1] = -2", lambda: a.aug(x, [0, -2, 1, 2], 0)),
            (ValueError, "indices[0] = 9", lambda: a.aug(x, [9, 0, 1, 2], 0, gather=True)),
            (TypeError, "integers", lambda: a.aug(x, [0.5, 1.0, 2.0, 3.0], 0)),
            (TypeError, "1-d", lambda: a.aug(x, [[0, 1], [2, 3]], 0)),
            (ValueError, "epoch -1", lambda: a.aug(x, range(4), -1)),
            (ValueError, "layout", lambda: a.aug(x, range(4), 0, layout="chwn")),
            (ValueError, "dtype", lambda: a.aug(x, range(4), 0, dtype="float16")),
            (TypeError, "out is float32", lambda: a.aug(x, range(4), 0, out=np.zeros((4, 8, 8, 3), np.float32),
                                                        dtype="uint8")),
            (ValueError, "out is", lambda: a.aug(x, range(4), 0, out=np.zeros((4, 8, 8, 1), np.float32))),
            (ValueError, "policy 'no-such-policy'", lambda: awsaug.Augmenter("no-such-policy")),
            (ValueError, "std", lambda: awsaug.Augmenter("uniform", std=[0.0])),
            (ValueError, "mean has 2 values", lambda: awsaug.Augmenter("uniform", mean=[0.1, 0.2])),
            (ValueError, "stream= is for CUDA", lambda: a.aug(x, range(4), 0, stream=5)),
            (TypeError, "stream must be a raw CUDA stream handle", lambda: a.aug(x, range(4), 0, stream="abc")),
            (ValueError, "stream -1", lambda: a.aug(x, range(4), 0, stream=-1)),
            (ValueError, "H and W must be >= 1", lambda: a.aug(np.zeros((4, 0, 8, 3), np.uint8), range(4), 0)),
            (ValueError, "out overlaps images", lambda: a.aug(x, [0, 1], 0, dtype="uint8", gather=True,
                                                              out=x[:2])),
            (ValueError, "threads", lambda: awsaug.Augmenter("uniform", threads=-1)),
            (ValueError, "base(h, w)", lambda: a.base(0, 8)),
            (TypeError, "__dlpack_device__", lambda: a.aug(BadDevice(), range(4), 0)),
        ]
        for kind, text, call in cases:
            with self.subTest(text=text):
                with self.assertRaises(kind) as cm:
                    call()
                self.assertIn(text, str(cm.exception))

    def test_bad_policy_file(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"awsaug-bad-policy-{os.getpid()}.json")
        with open(path, "w") as f:
            f.write('{"probs": [1, 2')
        try:
            with self.assertRaises(ValueError) as cm:
                awsaug.Augmenter(path)
            self.assertIn(path, str(cm.exception))
        finally:
            os.remove(path)


class Threads(unittest.TestCase):
    def test_torch_thread_count_is_left_alone(self):
        before = torch.get_num_threads()
        awsaug.Augmenter("uniform", threads=1)
        awsaug.Augmenter("uniform", threads=3)
        self.assertEqual(torch.get_num_threads(), before)

    def test_a_second_thread_gets_an_error_never_wrong_pixels(self):
        import threading
        a = awsaug.Augmenter("uniform", seed=9, threads=1)
        x = images(64, 16, 16, 3, SEED)
        want = np.from_dlpack(a.aug(x, range(64), 2)).copy()
        results, errors = [], []

        def work():
            for _ in range(100):
                try:
                    results.append(np.from_dlpack(a.aug(x, range(64), 2)).copy())
                except RuntimeError as e:
                    errors.append(str(e))
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(len(results) + len(errors), 400)
        self.assertTrue(all(np.array_equal(r, want) for r in results), "a batch came out wrong")
        self.assertTrue(all("in use by another thread" in e for e in errors))
        print(f"test_awsaug: 4 threads x 100 calls: {len(results)} batches, {len(errors)} refused while busy")


class Memory(unittest.TestCase):
    def test_resident_memory_flat_over_10000_calls(self):
        def rss_kib():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        a = awsaug.Augmenter("uniform", seed=2, threads=1)
        x = torch.from_numpy(images(16, 12, 12, 3, SEED))
        idx = torch.arange(16)
        for i in range(1000):  # warm up: plans, allocator pools
            torch.from_dlpack(a.aug(x, idx, i))
        before = rss_kib()
        out = np.zeros((16, 12, 12, 3), np.float32)
        for i in range(10000):
            t = torch.from_dlpack(a.aug(x, idx, i, layout="nchw"))  # torch as the consumer
            n = np.from_dlpack(a.aug(x, idx, i, dtype="uint8"))      # NumPy as the consumer
            a.aug(x, idx, i).__dlpack__()                           # a capsule nobody consumes
            a.aug(x.numpy(), idx.numpy(), i, out=out)               # borrowed producers, out= path
            a.draws()
        grown = rss_kib() - before
        print(f"test_awsaug: resident memory grew {grown} KiB over 10,000 rounds of four calls (a batch is "
              f"{16 * 12 * 12 * 3 * 4 // 1024} KiB)")
        self.assertEqual(t.shape[1], 3)
        self.assertEqual(n.dtype, np.uint8)
        self.assertLess(grown, 2048)


@unittest.skipUnless(torch.cuda.is_available(), "no CUDA torch here (the GPU machine's check runs it)")
class CudaTensors(unittest.TestCase):
    """On a GPU: CUDA tensors give the cpu path's bits, on the caller's stream or the default one."""
    def test_same_bits_as_cpu(self):
        x = images(64, 32, 32, 3, SEED)
        a = awsaug.Augmenter("uniform", seed=4, mean=[0.5], std=[0.25])
        ref = torch.from_dlpack(a.aug(x, range(64), 1))
        ref8 = torch.from_dlpack(a.aug(x, range(64), 1, dtype="uint8"))
        d_cpu = draws_table(a.draws())
        xc = torch.from_numpy(x).cuda()
        got = torch.from_dlpack(a.aug(xc, torch.arange(64), 1))
        self.assertTrue(got.is_cuda)
        self.assertTrue(torch.equal(got.cpu(), ref))
        self.assertTrue((draws_table(a.draws()) == d_cpu).all())
        s = torch.cuda.Stream()
        with torch.cuda.stream(s):
            g8 = torch.from_dlpack(a.aug(xc, range(64), 1, dtype="uint8", stream=s.cuda_stream, record_draws=False))
            out = torch.empty(64, 32, 32, 3, device="cuda")
            a.aug(xc, range(64), 1, out=out, stream=s.cuda_stream)
        s.synchronize()
        self.assertTrue(torch.equal(g8.cpu(), ref8))
        self.assertTrue(torch.equal(out.cpu(), ref))
        self.assertEqual(len(a.draws()["pair"]), 0)
        with self.assertRaises(ValueError):
            a.aug(xc, range(64), 1, out=torch.empty(64, 32, 32, 3))  # out on the cpu


class DocExample(unittest.TestCase):
    def test_python_md_example_runs(self):
        with open(os.path.join(SRC, "docs", "PYTHON.md")) as f:
            text = f.read()
        blocks = re.findall(r"```python\n(.*?)```", text, re.S)
        self.assertTrue(blocks, "docs/PYTHON.md has no python block")
        exec(compile(blocks[0], "docs/PYTHON.md", "exec"), {"__name__": "docs_example"})


class BenchSmoke(unittest.TestCase):
    """bench/awsaug_bench.py at a tiny size, both outputs: the benchmark BENCHMARKS.md quotes still runs
    and reports every row (a rotted benchmark would otherwise be found only when measuring)."""

    def test_every_row_for_both_outputs(self):
        import json
        import subprocess
        for dtype in ("float32", "uint8"):
            r = subprocess.run([sys.executable, os.path.join(SRC, "bench", "awsaug_bench.py"), "--batch", "4",
                                "--sizes", "32", "--reps", "1", "--dtype", dtype],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = json.loads(r.stdout.strip().splitlines()[-1])["rows"]
            self.assertEqual(sorted({x["policy"] for x in rows}), ["autoaugment", "crop-flip", "randaugment"])
            for x in rows:
                self.assertEqual(x["dtype"], dtype)
                for k in ("awsaug", "torchvision_per_image", "torchvision_per_batch"):
                    self.assertGreater(x[k], 0.0, (dtype, x))


if __name__ == "__main__":
    unittest.main(verbosity=2)
