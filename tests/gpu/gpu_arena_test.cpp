// Device memory behaviour: a state arena on the device restores bit-exactly from its snapshot with
// one device-to-device copy, and a repeated training-like op sequence allocates no device memory
// after its first step (every device allocation goes through mem_alloc, which counts them).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/runtime/memory.h"
#include "core/rng.h"
#include "engine/ops/batchnorm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dropout.h"
#include "engine/ops/linear.h"
#include "engine/ops/pool.h"
#include "engine/ops/relu.h"
#include "engine/ops/softmax_ce.h"
#include "tests/support/oracle.h"

namespace aws::test {

namespace {

std::vector<float> random_floats(size_t n, uint64_t seed) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = rand_unit(philox4x32(seed, uint32_t(i), 7).v[0]) * 2.0f - 1.0f;
  return v;
}

void upload(Ctx& ctx, Tensor& t, const std::vector<float>& v) {
  REQUIRE(v.size() * sizeof(float) == t.bytes());
  mem_copy(ctx, t.data, v.data(), t.bytes(), CopyKind::host_to_dev);
}

std::vector<uint8_t> download(Ctx& ctx, const void* p, size_t bytes) {
  std::vector<uint8_t> v(bytes);
  mem_copy(ctx, v.data(), p, bytes, CopyKind::dev_to_host);
  return v;
}

}  // namespace

TEST_CASE("device arena: restore is bit-exact and allocates nothing") {
  Ctx ctx(Device::cuda);
  const uint64_t seed = test_seed(11);
  INFO("seed ", seed);
  Arena a(Device::cuda, "state");
  Tensor w, b, m;
  a.add(&w, Shape{64, 3, 3, 32}, DType::f32);
  a.add(&b, Shape{64}, DType::f32);
  a.add(&m, Shape{1000}, DType::f32);
  a.commit(ctx);
  upload(ctx, w, random_floats(size_t(w.numel()), seed));
  upload(ctx, b, random_floats(size_t(b.numel()), seed + 1));
  upload(ctx, m, random_floats(size_t(m.numel()), seed + 2));
  const std::vector<uint8_t> before = download(ctx, a.base(), a.bytes());

  Snapshot s;
  s.take(ctx, a);
  relu_forward(ctx, {.x = w, .y = w});  // change the arena in place, then overwrite part of it
  mem_zero(ctx, m.data, m.bytes());
  CHECK(download(ctx, a.base(), a.bytes()) != before);

  const uint64_t allocs = mem_alloc_count(Device::cuda);
  s.restore(ctx, a);
  ctx.sync();
  CHECK(mem_alloc_count(Device::cuda) == allocs);
  const std::vector<uint8_t> after = download(ctx, a.base(), a.bytes());
  CHECK(std::memcmp(after.data(), before.data(), before.size()) == 0);
}

TEST_CASE("steady state: no device allocation after the first step of a repeated op sequence") {
  Ctx ctx(Device::cuda);
  const int64_t N = 16, H = 8, W = 8, C = 3, K = 16, classes = 10;
  Arena ar(Device::cuda, "workspace");
  Tensor x, wc, y1, g, be, rm, rv, sm, si, y2, pooled, y3, am, gp, wl, bl, logits, labels, loss, dlog, correct;
  Tensor dpool, dwl, dbl, dy3, dy2, dy1, dg, dbe, dwc, dx, mask, yd, key;
  ar.add(&x, Shape{N, H, W, C}, DType::f32);
  ar.add(&wc, Shape{K, 3, 3, C}, DType::f32);
  ar.add(&y1, Shape{N, H, W, K}, DType::f32);
  for (Tensor* t : {&g, &be, &rm, &rv, &sm, &si, &dg, &dbe}) ar.add(t, Shape{K}, DType::f32);
  ar.add(&y2, Shape{N, H, W, K}, DType::f32);
  ar.add(&y3, Shape{N, H / 2, W / 2, K}, DType::f32);
  ar.add(&am, Shape{N, H / 2, W / 2, K}, DType::i32);
  ar.add(&pooled, Shape{N, K}, DType::f32);
  ar.add(&yd, Shape{N, K}, DType::f32);
  ar.add(&mask, Shape{N, K}, DType::u8);
  ar.add(&key, Shape{2}, DType::i32);
  ar.add(&wl, Shape{classes, K}, DType::f32);
  ar.add(&bl, Shape{classes}, DType::f32);
  ar.add(&logits, Shape{N, classes}, DType::f32);
  ar.add(&dlog, Shape{N, classes}, DType::f32);
  ar.add(&labels, Shape{N}, DType::i32);
  ar.add(&loss, Shape{1}, DType::f32);
  ar.add(&correct, Shape{1}, DType::i32);
  ar.add(&dpool, Shape{N, K}, DType::f32);
  ar.add(&dwl, Shape{classes, K}, DType::f32);
  ar.add(&dbl, Shape{classes}, DType::f32);
  ar.add(&dy3, Shape{N, H / 2, W / 2, K}, DType::f32);
  ar.add(&dy2, Shape{N, H, W, K}, DType::f32);
  ar.add(&dy1, Shape{N, H, W, K}, DType::f32);
  ar.add(&dwc, Shape{K, 3, 3, C}, DType::f32);
  ar.add(&dx, Shape{N, H, W, C}, DType::f32);
  ar.commit(ctx);
  upload(ctx, x, random_floats(size_t(x.numel()), 1));
  upload(ctx, wc, random_floats(size_t(wc.numel()), 2));
  upload(ctx, wl, random_floats(size_t(wl.numel()), 3));
  upload(ctx, g, std::vector<float>(size_t(K), 1.0f));
  upload(ctx, rv, std::vector<float>(size_t(K), 1.0f));
  std::vector<int32_t> lab(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) lab[size_t(i)] = int32_t(i % classes);
  mem_copy(ctx, labels.data, lab.data(), labels.bytes(), CopyKind::host_to_dev);

  const Conv2dParams cp{1, 1};
  BatchNormParams bp;
  bp.relu = true;
  const MaxPoolParams mp{2, 2, 0};
  const DropoutParams dp{0.25f};
  auto step = [&](int32_t k) {
    const int32_t words[2] = {k, 0};
    mem_copy(ctx, key.data, words, sizeof words, CopyKind::host_to_dev);
    conv2d_forward(ctx, cp, {.x = x, .w = wc, .y = y1});
    batchnorm_forward_train(ctx, bp, {.x = y1, .gamma = g, .beta = be, .running_mean = rm, .running_var = rv,
                                      .save_mean = sm, .save_invstd = si, .y = y2});
    maxpool_forward(ctx, mp, {.x = y2, .y = y3, .argmax = am});
    global_avgpool_forward(ctx, {.x = y3, .y = pooled});
    dropout_forward(ctx, dp, {.key = key, .x = pooled, .y = yd, .mask = mask});
    linear_forward(ctx, {.x = yd, .w = wl, .y = logits, .b = &bl});
    softmax_ce_forward_backward(ctx, SoftmaxCEParams{0.1f}, {.logits = logits, .labels = labels, .loss = loss,
                                                             .dlogits = dlog, .correct = correct});
    linear_backward(ctx, {.x = yd, .w = wl, .dy = dlog, .dw = dwl, .dx = &dpool, .db = &dbl});
    dropout_backward(ctx, dp, {.dy = dpool, .mask = mask, .dx = dpool});
    global_avgpool_backward(ctx, {.dy = dpool, .dx = dy3});
    maxpool_backward(ctx, mp, {.dy = dy3, .argmax = am, .dx = dy2});
    batchnorm_backward(ctx, bp, {.x = y1, .y = y2, .dy = dy2, .gamma = g, .save_mean = sm, .save_invstd = si,
                                 .dx = dy1, .dgamma = dg, .dbeta = dbe});
    conv2d_backward_weights(ctx, cp, {.x = x, .dy = dy1, .dw = dwc});
    conv2d_backward_data(ctx, cp, {.dy = dy1, .w = wc, .dx = dx});
    ctx.sync();
  };
  step(1);
  const uint64_t after_first = mem_alloc_count(Device::cuda);
  for (int32_t k = 2; k < 6; ++k) step(k);
  CHECK(mem_alloc_count(Device::cuda) == after_first);
  float l = 0;
  mem_copy(ctx, &l, loss.data, sizeof l, CopyKind::dev_to_host);
  CHECK(std::isfinite(l));
  CHECK(l > 0.0f);
}

}  // namespace aws::test
