// The oneDNN convolution path against the direct loops on the ResNet-20 shapes (both weight layouts),
// its primitive cache (a repeated shape builds and allocates nothing), the facade's input checks, and
// a benchmark of the ResNet-20 convolutions at batch 128 beside PyTorch (skipped unless asked for:
// aws_test_unit -tc='bench: conv2d*' --no-skip).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "engine/runtime/memory.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dnnl_state.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

struct Shape4 {
  const char* name;
  int64_t H, C, K, k;
  int stride, pad;
};
// The convolutions of ResNet-20 on 1×28×28 inputs.
const Shape4 kResNet20[] = {
    {"stem 1->16 @28", 28, 1, 16, 3, 1, 1},        {"16->16 @28", 28, 16, 16, 3, 1, 1},
    {"16->32 s2 @28", 28, 16, 32, 3, 2, 1},        {"shortcut 1x1 16->32 s2", 28, 16, 32, 1, 2, 0},
    {"32->32 @14", 14, 32, 32, 3, 1, 1},           {"32->64 s2 @14", 14, 32, 64, 3, 2, 1},
    {"shortcut 1x1 32->64 s2", 14, 32, 64, 1, 2, 0}, {"64->64 @7", 7, 64, 64, 3, 1, 1},
};

// Buffers for one shape: inputs random, outputs for two paths.
struct ConvBufs {
  int64_t N, P;
  std::vector<float> x, w, dy, y, dx, dw;
  Tensor tx, tw, tdy, ty, tdx, tdw;
  Conv2dParams p;
  ConvBufs(const Shape4& s, int64_t n, std::mt19937_64& rng) : N(n) {
    P = conv2d_out_size(s.H, s.k, s.stride, s.pad);
    std::uniform_real_distribution<float> U(-1.f, 1.f);
    auto fill = [&](std::vector<float>& v, int64_t len) {
      v.resize(size_t(len));
      for (auto& e : v) e = U(rng);
    };
    fill(x, N * s.H * s.H * s.C);
    fill(w, s.K * s.k * s.k * s.C);
    fill(dy, N * P * P * s.K);
    y.assign(dy.size(), 0.f);
    dx.assign(x.size(), 0.f);
    dw.assign(w.size(), 0.f);
    tx = Tensor(x.data(), {N, s.H, s.H, s.C}, DType::f32);
    tw = Tensor(w.data(), {s.K, s.k, s.k, s.C}, DType::f32);
    tdy = Tensor(dy.data(), {N, P, P, s.K}, DType::f32);
    ty = Tensor(y.data(), tdy.shape, DType::f32);
    tdx = Tensor(dx.data(), tx.shape, DType::f32);
    tdw = Tensor(dw.data(), tw.shape, DType::f32);
    p = Conv2dParams{s.stride, s.pad};
  }
};

}  // namespace

TEST_CASE("conv2d facade: rejects mismatched shapes, dtypes and parameters with the op's name") {
  Ctx ctx(Device::cpu, 1);
  std::vector<float> buf(4096);
  Tensor x(buf.data(), {1, 8, 8, 3}, DType::f32), w(buf.data(), {4, 3, 3, 3}, DType::f32);
  Tensor y(buf.data(), {1, 8, 8, 4}, DType::f32);
  conv2d_forward(ctx, {1, 1}, {.x = x, .w = w, .y = y});  // valid
  Tensor wrong_c(buf.data(), {4, 3, 3, 2}, DType::f32);
  CHECK_THROWS_WITH(conv2d_forward(ctx, {1, 1}, {.x = x, .w = wrong_c, .y = y}),
                    doctest::Contains("conv2d_forward: w dim 3"));
  Tensor wrong_y(buf.data(), {1, 6, 8, 4}, DType::f32);
  CHECK_THROWS_WITH(conv2d_forward(ctx, {1, 1}, {.x = x, .w = w, .y = wrong_y}),
                    doctest::Contains("conv2d_forward: y dim 1"));
  CHECK_THROWS_WITH(conv2d_backward_data(ctx, {1, 1}, {.dy = wrong_y, .w = w, .dx = x}),
                    doctest::Contains("conv2d_backward_data: dy"));
  CHECK_THROWS_WITH(conv2d_backward_weights(ctx, {0, 1}, {.x = x, .dy = y, .dw = w}), doctest::Contains("stride 0"));
  Tensor big_w(buf.data(), {4, 11, 11, 3}, DType::f32);
  CHECK_THROWS_WITH(conv2d_forward(ctx, {1, 1}, {.x = x, .w = big_w, .y = y}), doctest::Contains("does not fit"));
  Tensor xh(buf.data(), {1, 8, 8, 3}, DType::f16);
  CHECK_THROWS_WITH(conv2d_forward(ctx, {1, 1}, {.x = xh, .w = w, .y = y}), doctest::Contains("x is f16"));
  Tensor y64(buf.data(), {1, 8, 8, 4}, DType::f64);
  CHECK_THROWS_WITH(conv2d_forward(ctx, {1, 1}, {.x = x, .w = w, .y = y64}), doctest::Contains("y is f64"));
}

#if defined(AWS_WITH_ONEDNN)

TEST_CASE("conv2d oneDNN: matches the direct loops on the ResNet-20 shapes, both weight layouts") {
  const uint64_t seed = test_seed(42);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  Ctx ctx(Device::cpu);
  for (DnnlWeights layout : {DnnlWeights::ohwi, DnnlWeights::any}) {
    dnnl_set_weights(ctx, layout);
    for (const Shape4& s : kResNet20) {
      INFO("shape ", s.name, " layout ", (layout == DnnlWeights::any ? "any" : "ohwi"));
      ConvBufs a(s, 5, rng);
      ConvBufs ref = a;  // same inputs; Tensors re-pointed below
      ref.ty.data = ref.y.data(), ref.tdx.data = ref.dx.data(), ref.tdw.data = ref.dw.data();
      conv2d_forward_dnnl(ctx, a.p, {.x = a.tx, .w = a.tw, .y = a.ty});
      conv2d_backward_data_dnnl(ctx, a.p, {.dy = a.tdy, .w = a.tw, .dx = a.tdx});
      conv2d_backward_weights_dnnl(ctx, a.p, {.x = a.tx, .dy = a.tdy, .dw = a.tdw});
      conv2d_forward_direct(ctx, a.p, {.x = a.tx, .w = a.tw, .y = ref.ty});
      conv2d_backward_data_direct(ctx, a.p, {.dy = a.tdy, .w = a.tw, .dx = ref.tdx});
      conv2d_backward_weights_direct(ctx, a.p, {.x = a.tx, .dy = a.tdy, .dw = ref.tdw});
      const double tol = 1e-5;
      const double ry = compare(a.y.data(), ref.y.data(), int64_t(a.y.size())).rel;
      const double rx = compare(a.dx.data(), ref.dx.data(), int64_t(a.dx.size())).rel;
      const double rw = compare(a.dw.data(), ref.dw.data(), int64_t(a.dw.size())).rel;
      INFO("rel y ", ry, " dx ", rx, " dw ", rw, " tolerance ", tol);
      CHECK(ry < tol);
      CHECK(rx < tol);
      CHECK(rw < tol);
    }
    // 8 shapes × 3 directions, each its own plan.
    CHECK(dnnl_stats(ctx).plans == 24);
  }
}

TEST_CASE("conv2d oneDNN: a repeated shape creates no primitive and allocates nothing") {
  const uint64_t seed = test_seed(43);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  for (DnnlWeights layout : {DnnlWeights::ohwi, DnnlWeights::any}) {
    INFO("layout ", (layout == DnnlWeights::any ? "any" : "ohwi"));
    Ctx ctx(Device::cpu);
    dnnl_set_weights(ctx, layout);
    std::vector<ConvBufs> bufs;
    for (const Shape4& s : kResNet20) bufs.emplace_back(s, 4, rng);
    auto step = [&] {
      for (auto& b : bufs) {
        conv2d_forward(ctx, b.p, {.x = b.tx, .w = b.tw, .y = b.ty});
        conv2d_backward_data(ctx, b.p, {.dy = b.tdy, .w = b.tw, .dx = b.tdx});
        conv2d_backward_weights(ctx, b.p, {.x = b.tx, .dy = b.tdy, .dw = b.tdw});
      }
    };
    step();
    const DnnlStats first = dnnl_stats(ctx);
    CHECK(first.plans == 24);
    CHECK(first.primitives >= 24);
    if (layout == DnnlWeights::any) CHECK(first.primitives > 24);  // cached weight reorders
    const uint64_t allocs = mem_alloc_count(Device::cpu);
    std::vector<float> y0 = bufs[1].y;
    step();
    step();
    const DnnlStats again = dnnl_stats(ctx);
    CHECK(again.plans == first.plans);
    CHECK(again.primitives == first.primitives);
    CHECK(again.buffer_bytes == first.buffer_bytes);
    CHECK(mem_alloc_count(Device::cpu) == allocs);
    CHECK(bufs[1].y == y0);  // a cached plan gives the same result again
  }
}

#endif  // AWS_WITH_ONEDNN

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const char* kTorchBench = R"(
import time, torch
import torch.nn.functional as F
torch.set_num_threads(2)
torch.manual_seed(0)
reps = int(I['reps'][0])
for i, row in enumerate(I['shapes'].tolist()):
    N, H, C, K, k, st, pd = row
    x = torch.randn(N, C, H, H).to(memory_format=torch.channels_last)
    w = torch.randn(K, C, k, k).to(memory_format=torch.channels_last)
    y = F.conv2d(x, w, stride=st, padding=pd)
    dy = torch.randn_like(y).to(memory_format=torch.channels_last)
    def bwd(mask):
        return torch.ops.aten.convolution_backward(dy, x, w, None, [st, st], [pd, pd], [1, 1], False, [0, 0], 1, mask)
    fns = [lambda: F.conv2d(x, w, stride=st, padding=pd), lambda: bwd([True, False, False]),
           lambda: bwd([False, True, False])]
    t = []
    with torch.no_grad():
        for f in fns:
            for _ in range(3): f()
            best = 1e9
            for _ in range(reps):
                t0 = time.perf_counter()
                f()
                best = min(best, time.perf_counter() - t0)
            t.append(best * 1e3)
    O['t%d' % i] = __import__('numpy').array(t)
)";
}  // namespace

TEST_CASE("bench: conv2d ResNet-20 shapes at batch 128, ours beside PyTorch" * doctest::skip()) {
  const int64_t N = 128;
  const int reps = 30;
  std::mt19937_64 rng(1);
  Ctx ctx(Device::cpu, 2);
  std::vector<int64_t> rows;
  for (const Shape4& s : kResNet20) rows.insert(rows.end(), {N, s.H, s.C, s.K, s.k, s.stride, s.pad});
  const int32_t r[1] = {reps};
  Arrays torch = run_python(kTorchBench, {{"shapes", [&] {
                                             Array a;
                                             a.shape = {int64_t(std::size(kResNet20)), 7};
                                             a.dtype = "i8";
                                             a.bytes.resize(rows.size() * 8);
                                             std::memcpy(a.bytes.data(), rows.data(), a.bytes.size());
                                             return a;
                                           }()},
                                          {"reps", array_i32({1}, r)}});
  std::vector<std::pair<const char*, DnnlWeights>> layouts{{"any", DnnlWeights::any}, {"ohwi", DnnlWeights::ohwi}};
  std::printf("ResNet-20 convolutions, batch %lld, 2 threads, fastest of %d calls in ms (fwd / bwd-data / bwd-weights)\n",
              (long long)N, reps);
  std::printf("%-24s %-26s %-26s %-26s\n", "shape", "ours (oneDNN, any)", "oneDNN on ohwi", "torch channels_last");
  double tot[3] = {0, 0, 0};
  for (size_t i = 0; i < std::size(kResNet20); ++i) {
    ConvBufs b(kResNet20[i], N, rng);
    double t[2][3] = {};
    for (int l = 0; l < (AWS_DNNL_BUILT ? 2 : 1); ++l) {
      // oneDNN's reference loops on OHWI take seconds per call at batch 128: time one shape only.
      const bool ohwi = layouts[size_t(l)].second == DnnlWeights::ohwi;
      if (ohwi && i + 1 != std::size(kResNet20)) continue;
      if (AWS_DNNL_BUILT) AWS_DNNL_CALL(dnnl_set_weights, (ctx, layouts[size_t(l)].second));
      auto fns = {+[](Ctx& c, ConvBufs& b) { conv2d_forward(c, b.p, {.x = b.tx, .w = b.tw, .y = b.ty}); },
                  +[](Ctx& c, ConvBufs& b) { conv2d_backward_data(c, b.p, {.dy = b.tdy, .w = b.tw, .dx = b.tdx}); },
                  +[](Ctx& c, ConvBufs& b) { conv2d_backward_weights(c, b.p, {.x = b.tx, .dy = b.tdy, .dw = b.tdw}); }};
      int j = 0;
      for (auto f : fns) {
        const int n = ohwi ? 1 : reps;
        if (!ohwi) f(ctx, b);
        double best = 1e9;
        for (int k = 0; k < n; ++k) {
          const auto t0 = std::chrono::steady_clock::now();
          f(ctx, b);
          best = std::min(best, seconds_since(t0));
        }
        t[l][j++] = best * 1e3;
      }
    }
    auto tt = torch["t" + std::to_string(i)].to_f64();
    std::printf("%-24s %7.3f %7.3f %7.3f    %7.3f %7.3f %7.3f    %7.3f %7.3f %7.3f\n", kResNet20[i].name, t[0][0],
                t[0][1], t[0][2], t[1][0], t[1][1], t[1][2], tt[0], tt[1], tt[2]);
    tot[0] += t[0][0] + t[0][1] + t[0][2];
    tot[2] += tt[0] + tt[1] + tt[2];
  }
  std::printf("%-24s %-26.3f %-26s %-26.3f\n", "sum of all three", tot[0], "(one shape only)", tot[2]);
  std::printf("torch / ours: %.3f\n", tot[2] / tot[0]);
  std::fflush(stdout);
  CHECK(tot[0] > 0);
}
