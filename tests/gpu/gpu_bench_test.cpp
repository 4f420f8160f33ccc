// GPU micro-benchmarks (skipped by default; scripts/gpu-check bench runs them with --no-skip):
// cuDNN convolutions of the ResNet-18 CIFAR stages at batch 256 in fp32 (forward, backward-data,
// backward-weights, after the one-time algorithm search), the fused batch-norm, and a state-arena
// restore against a bare device-to-device copy of the same bytes. Times are medians of CUDA-event
// timed repeats; each line is printed as "bench <name> <ms>".
#include <doctest/doctest.h>

#if defined(AWS_WITH_CUDA)
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/runtime/memory.h"
#include "engine/ops/batchnorm.h"
#include "engine/ops/conv2d.h"
#include "kernels/cuda_context.h"

namespace aws::test {

namespace {

double median_ms(Ctx& ctx, int reps, const std::function<void()>& f) {
  f();  // warm-up (plans, algorithm search)
  ctx.sync();
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  std::vector<float> t;
  for (int i = 0; i < reps; ++i) {
    cudaEventRecord(a, ctx.cuda->stream);
    f();
    cudaEventRecord(b, ctx.cuda->stream);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    t.push_back(ms);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

TEST_CASE("bench: resnet18 conv stages, batch-norm, restore" * doctest::skip(true)) {
  Ctx ctx(Device::cuda);
  std::printf("bench device %s\n", ctx.cuda->prop.name);
  const int64_t N = 256;
  struct Stage { int64_t hw, c, k; int stride; };
  const Stage stages[] = {{32, 64, 64, 1}, {32, 64, 128, 2}, {16, 128, 128, 1}, {16, 128, 256, 2},
                          {8, 256, 256, 1},  {8, 256, 512, 2},  {4, 512, 512, 1}};
  double total = 0;
  for (const Stage& s : stages) {
    const int64_t P = (s.hw + 2 - 3) / s.stride + 1;
    Arena ar(Device::cuda, "bench");
    Tensor x, w, y, dx, dw, dy;
    ar.add(&x, Shape{N, s.hw, s.hw, s.c}, DType::f32);
    ar.add(&dx, Shape{N, s.hw, s.hw, s.c}, DType::f32);
    ar.add(&w, Shape{s.k, 3, 3, s.c}, DType::f32);
    ar.add(&dw, Shape{s.k, 3, 3, s.c}, DType::f32);
    ar.add(&y, Shape{N, P, P, s.k}, DType::f32);
    ar.add(&dy, Shape{N, P, P, s.k}, DType::f32);
    ar.commit(ctx);
    const Conv2dParams cp{s.stride, 1};
    const double f = median_ms(ctx, 10, [&] { conv2d_forward(ctx, cp, {.x = x, .w = w, .y = y}); });
    const double bd = median_ms(ctx, 10, [&] { conv2d_backward_data(ctx, cp, {.dy = dy, .w = w, .dx = dx}); });
    const double bw = median_ms(ctx, 10, [&] { conv2d_backward_weights(ctx, cp, {.x = x, .dy = dy, .dw = dw}); });
    const double gflop = 2.0 * double(N * P * P * s.k) * double(9 * s.c) * 1e-9;
    std::printf("bench conv3x3 %lldx%lld c%lld->k%lld s%d fwd %.3f ms (%.1f TFLOP/s) bwd_data %.3f ms bwd_w %.3f ms\n",
                (long long)s.hw, (long long)s.hw, (long long)s.c, (long long)s.k, s.stride, f, gflop / f, bd, bw);
    total += f + bd + bw;
    CHECK(f > 0);
  }
  std::printf("bench conv stages total (one conv per stage, fwd+bwd) %.3f ms\n", total);

  {  // fused BN + ReLU, training, forward and backward at the first stage's size
    Arena ar(Device::cuda, "bn");
    Tensor x, y, dy, dx, g, b, rm, rv, sm, si, dg, db;
    ar.add(&x, Shape{N, 32, 32, 64}, DType::f32);
    ar.add(&y, Shape{N, 32, 32, 64}, DType::f32);
    ar.add(&dy, Shape{N, 32, 32, 64}, DType::f32);
    ar.add(&dx, Shape{N, 32, 32, 64}, DType::f32);
    for (Tensor* t : {&g, &b, &rm, &rv, &sm, &si, &dg, &db}) ar.add(t, Shape{64}, DType::f32);
    ar.commit(ctx);
    BatchNormParams p;
    p.relu = true;
    const double f = median_ms(ctx, 20, [&] { batchnorm_forward_train(ctx, p, {.x = x, .gamma = g, .beta = b,
                                                                               .running_mean = rm, .running_var = rv,
                                                                               .save_mean = sm, .save_invstd = si,
                                                                               .y = y}); });
    const double bk = median_ms(ctx, 20, [&] { batchnorm_backward(ctx, p, {.x = x, .y = y, .dy = dy, .gamma = g,
                                                                           .save_mean = sm, .save_invstd = si,
                                                                           .dx = dx, .dgamma = dg, .dbeta = db}); });
    const double mb = double(x.bytes()) * 1e-6;
    std::printf("bench batchnorm+relu 256x32x32x64 fwd %.3f ms (%.0f GB/s at 3 passes) bwd %.3f ms (%.0f GB/s at 5 passes)\n",
                f, 3 * mb / f, bk, 5 * mb / bk);
  }

  {  // restore of a ResNet-18-sized state arena (params + momentum ≈ 2 × 11.2 M floats)
    Arena ar(Device::cuda, "state");
    Tensor s;
    ar.add(&s, Shape{2 * 11173962}, DType::f32);
    ar.commit(ctx);
    Snapshot snap;
    snap.take(ctx, ar);
    void* other = mem_alloc(Device::cuda, ar.bytes());
    const double r = median_ms(ctx, 50, [&] { snap.restore(ctx, ar); });
    const double c = median_ms(ctx, 50, [&] {
      CUDA_CHECK(cudaMemcpyAsync(other, snap.data(), ar.bytes(), cudaMemcpyDeviceToDevice, ctx.cuda->stream));
    });
    mem_free(Device::cuda, other);
    std::printf("bench restore %.1f MB %.4f ms, bare copy %.4f ms, ratio %.3f (target <= 1.1)\n",
                double(ar.bytes()) * 1e-6, r, c, r / c);
    CHECK(r / c < 1.5);
  }
}

}  // namespace aws::test
#endif
