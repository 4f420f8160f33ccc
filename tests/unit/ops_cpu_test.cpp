// cpu op behaviour that no framework twin covers: dropout's mask statistics and replay, count_correct
// accumulation, thread-count independence of batch-norm, aliasing allowed by the contracts, and the
// facades' error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/ops/batchnorm.h"
#include "engine/ops/dropout.h"
#include "engine/ops/pool.h"
#include "engine/ops/softmax_ce.h"
#include "tests/support/op_cases.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

std::vector<float> random_f32(int64_t n, uint64_t seed) {
  TensorSpec s{"v", Shape{n}};
  HostTensor h = make_inputs(OpCase{"", "", {}, {s}}, seed).at("v");
  return std::vector<float>(h.v.begin(), h.v.end());
}

// A step key as the staged step inputs hold it: i32[2], low word then high word.
struct HostKey {
  int32_t words[2];
  Tensor t;
  explicit HostKey(uint64_t k)
      : words{int32_t(uint32_t(k)), int32_t(uint32_t(k >> 32))}, t(words, Shape{2}, DType::i32) {}
  HostKey(const HostKey&) = delete;
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("dropout: keep rate, exact scaling, backward reuses the mask, same key and layer replay the mask") {
  const uint64_t seed = test_seed(99);
  INFO("seed ", seed);
  const int64_t n = 1 << 16;
  const float p = 0.3f;
  std::vector<float> x = random_f32(n, seed), y(n), y2(n), dy = random_f32(n, seed + 1), dx(n);
  std::vector<uint8_t> m(n), m2(n), m3(n);
  Ctx one(Device::cpu, 1), two(Device::cpu, 2);
  Tensor tx(x.data(), Shape{n}, DType::f32), ty(y.data(), Shape{n}, DType::f32), tm(m.data(), Shape{n}, DType::u8);
  Tensor ty2(y2.data(), Shape{n}, DType::f32), tm2(m2.data(), Shape{n}, DType::u8), tm3(m3.data(), Shape{n}, DType::u8);
  std::vector<uint8_t> m4(n), m5(n);
  Tensor tm4(m4.data(), Shape{n}, DType::u8), tm5(m5.data(), Shape{n}, DType::u8);
  // 42 and 42 + 2^32 differ only in the high word: the whole 64-bit key is used.
  const HostKey k42(42), k43(43), khigh(42 + (uint64_t(1) << 32));
  dropout_forward(one, DropoutParams{p}, {.key = k42.t, .x = tx, .y = ty, .mask = tm});
  dropout_forward(two, DropoutParams{p}, {.key = k42.t, .x = tx, .y = ty2, .mask = tm2});     // other thread count
  dropout_forward(one, DropoutParams{p}, {.key = k43.t, .x = tx, .y = ty2, .mask = tm3});     // another key
  dropout_forward(one, DropoutParams{p, 1}, {.key = k42.t, .x = tx, .y = ty2, .mask = tm4});  // another layer
  dropout_forward(one, DropoutParams{p}, {.key = khigh.t, .x = tx, .y = ty2, .mask = tm5});   // another high word
  const float scale = 1.0f / (1.0f - p);
  int64_t kept = 0, lane_kept[4] = {}, differ = 0, differ_layer = 0, differ_high = 0;
  for (int64_t i = 0; i < n; ++i) {
    REQUIRE(m[i] <= 1);
    kept += m[i];
    lane_kept[i & 3] += m[i];
    CHECK(m2[i] == m[i]);
    differ += m3[i] != m[i];
    differ_layer += m4[i] != m[i];
    differ_high += m5[i] != m[i];
    if (m[i]) CHECK(y[i] == x[i] * scale);
    else CHECK(y[i] == 0.0f);
  }
  // Binomial(n, 0.7): 6 standard deviations of the keep rate, overall and per Philox lane.
  const double sd = std::sqrt(p * (1 - p) / double(n));
  CHECK(std::fabs(double(kept) / double(n) - 0.7) < 6 * sd);
  for (int l = 0; l < 4; ++l) CHECK(std::fabs(double(lane_kept[l]) / double(n / 4) - 0.7) < 12 * sd);
  // Two independent masks disagree with probability 2·0.3·0.7 = 0.42.
  CHECK(std::fabs(double(differ) / double(n) - 0.42) < 0.02);
  CHECK(std::fabs(double(differ_layer) / double(n) - 0.42) < 0.02);
  CHECK(std::fabs(double(differ_high) / double(n) - 0.42) < 0.02);

  Tensor tdy(dy.data(), Shape{n}, DType::f32), tdx(dx.data(), Shape{n}, DType::f32);
  dropout_backward(one, DropoutParams{p}, {.dy = tdy, .mask = tm, .dx = tdx});
  for (int64_t i = 0; i < n; ++i) CHECK(dx[i] == (m[i] ? dy[i] * scale : 0.0f));

  // The mask depends on (key, index) only: f64 draws the same one.
  std::vector<double> xd(x.begin(), x.end()), yd(n);
  std::vector<uint8_t> md(n);
  Tensor txd(xd.data(), Shape{n}, DType::f64), tyd(yd.data(), Shape{n}, DType::f64), tmd(md.data(), Shape{n}, DType::u8);
  dropout_forward(one, DropoutParams{p}, {.key = k42.t, .x = txd, .y = tyd, .mask = tmd});
  CHECK(md == m);
}

TEST_CASE("dropout: p = 0 keeps everything unchanged, p = 1 drops everything") {
  const int64_t n = 4096;
  std::vector<float> x = random_f32(n, 5), y(n);
  std::vector<uint8_t> m(n);
  Ctx ctx(Device::cpu, 1);
  Tensor tx(x.data(), Shape{n}, DType::f32), ty(y.data(), Shape{n}, DType::f32), tm(m.data(), Shape{n}, DType::u8);
  const HostKey key(7);
  dropout_forward(ctx, DropoutParams{0.0f}, {.key = key.t, .x = tx, .y = ty, .mask = tm});
  CHECK(y == x);
  dropout_forward(ctx, DropoutParams{1.0f}, {.key = key.t, .x = tx, .y = ty, .mask = tm});
  for (int64_t i = 0; i < n; ++i) CHECK((y[i] == 0.0f && m[i] == 0));
  auto run = [&](const DropoutParams& p, const Tensor& k) {
    return error_of([&] { dropout_forward(ctx, p, {.key = k, .x = tx, .y = ty, .mask = tm}); });
  };
  CHECK(run(DropoutParams{1.5f}, key.t).find("dropout_forward: p") == 0);
  int32_t three[3] = {};
  CHECK(run(DropoutParams{0.5f}, Tensor(three, Shape{3}, DType::i32)).find("dropout_forward: key") == 0);
  CHECK(run(DropoutParams{0.5f}, Tensor(m.data(), Shape{2}, DType::u8)).find("dropout_forward: key") == 0);
}

TEST_CASE("count_correct accumulates; softmax_ce's correct overwrites") {
  Ctx ctx(Device::cpu, 1);
  float z[3 * 4] = {0, 5, 1, 2, /* argmax 1 */ 9, 1, 1, 1, /* 0 */ 0, 0, 0, 3 /* 3 */};
  int32_t lab[3] = {1, 2, 3}, correct = 5;
  Tensor tz(z, Shape{3, 4}, DType::f32), tl(lab, Shape{3}, DType::i32), tc(&correct, Shape{1}, DType::i32);
  count_correct(ctx, {.logits = tz, .labels = tl, .correct = tc});
  CHECK(correct == 7);
  count_correct(ctx, {.logits = tz, .labels = tl, .correct = tc});
  CHECK(correct == 9);
  float loss, dz[12];
  Tensor tloss(&loss, Shape{1}, DType::f32), tdz(dz, Shape{3, 4}, DType::f32);
  softmax_ce_forward_backward(ctx, SoftmaxCEParams{0.1f}, {.logits = tz, .labels = tl, .loss = tloss, .dlogits = tdz,
                                                           .correct = tc});
  CHECK(correct == 2);
  double rowsum = 0;
  for (float v : dz) rowsum += v;
  CHECK(std::fabs(rowsum) < 1e-6);  // softmax − smoothed target sums to 0 per row
  lab[0] = 4;
  CHECK(error_of([&] { count_correct(ctx, {.logits = tz, .labels = tl, .correct = tc}); }).find("label 4 of row 0") !=
        std::string::npos);
}

TEST_CASE("batchnorm: results do not depend on the thread count; dx may alias dy") {
  const uint64_t seed = test_seed(2024);
  INFO("seed ", seed);
  const int64_t N = 8, H = 16, W = 16, C = 24, M = N * H * W * C;  // large enough for the threaded path
  auto x = random_f32(M, seed), dy = random_f32(M, seed + 1), res = random_f32(M, seed + 2);
  std::vector<float> gamma(C, 1.25f), beta(C, 0.1f);
  auto run = [&](int threads, bool alias, std::vector<float>& y, std::vector<float>& dx, std::vector<float>& stats) {
    Ctx ctx(Device::cpu, threads);
    std::vector<float> rm(C, 0.f), rv(C, 1.f), sm(C), si(C), dg(C), db(C), g = dy;
    y.assign(M, 0.f);
    dx.assign(M, 0.f);
    const Shape s{N, H, W, C}, c{C};
    BatchNormParams p;
    p.relu = true;
    Tensor tx(x.data(), s, DType::f32), ty(y.data(), s, DType::f32), tr(res.data(), s, DType::f32);
    Tensor tg(gamma.data(), c, DType::f32), tb(beta.data(), c, DType::f32), trm(rm.data(), c, DType::f32),
        trv(rv.data(), c, DType::f32), tsm(sm.data(), c, DType::f32), tsi(si.data(), c, DType::f32),
        tdg(dg.data(), c, DType::f32), tdb(db.data(), c, DType::f32);
    batchnorm_forward_train(ctx, p, {.x = tx, .gamma = tg, .beta = tb, .running_mean = trm, .running_var = trv,
                                     .save_mean = tsm, .save_invstd = tsi, .y = ty, .residual = &tr});
    Tensor tdy(g.data(), s, DType::f32), tdx(alias ? g.data() : dx.data(), s, DType::f32);
    batchnorm_backward(ctx, p, {.x = tx, .y = ty, .dy = tdy, .gamma = tg, .save_mean = tsm, .save_invstd = tsi,
                                .dx = tdx, .dgamma = tdg, .dbeta = tdb});
    if (alias) dx = g;
    stats = rm;
    stats.insert(stats.end(), rv.begin(), rv.end());
    stats.insert(stats.end(), dg.begin(), dg.end());
    stats.insert(stats.end(), db.begin(), db.end());
  };
  std::vector<float> y1, dx1, s1, y2, dx2, s2, y3, dx3, s3;
  run(1, false, y1, dx1, s1);
  run(2, false, y2, dx2, s2);
  run(2, true, y3, dx3, s3);
  CHECK(y1 == y2);
  CHECK(dx1 == dx2);
  CHECK(s1 == s2);
  CHECK(dx3 == dx1);
}

TEST_CASE("op facades name the op and the mismatching tensor") {
  Ctx ctx(Device::cpu, 1);
  std::vector<float> buf(4 * 4 * 4 * 4);
  std::vector<int32_t> ibuf(64);
  Tensor x(buf.data(), Shape{2, 4, 4, 2}, DType::f32), y(buf.data(), Shape{2, 4, 4, 2}, DType::f32);
  Tensor c2(buf.data(), Shape{2}, DType::f32), c3(buf.data(), Shape{3}, DType::f32);
  BatchNormParams p;
  auto e = error_of([&] { batchnorm_forward_train(ctx, p, {.x = x, .gamma = c3, .beta = c2, .running_mean = c2,
                                                           .running_var = c2, .save_mean = c2, .save_invstd = c2,
                                                           .y = y}); });
  CHECK(e.find("batchnorm_forward_train: gamma dim 0 is 3, expected 2") == 0);
  Tensor xi(ibuf.data(), Shape{2, 4, 4, 2}, DType::i32);
  e = error_of([&] { batchnorm_forward_eval(ctx, p, {.x = xi, .gamma = c2, .beta = c2, .running_mean = c2,
                                                     .running_var = c2, .y = y}); });
  CHECK(e.find("batchnorm_forward_eval: x is i32") == 0);
  Tensor one(buf.data(), Shape{1, 1, 1, 2}, DType::f32);
  e = error_of([&] { batchnorm_forward_train(ctx, p, {.x = one, .gamma = c2, .beta = c2, .running_mean = c2,
                                                      .running_var = c2, .save_mean = c2, .save_invstd = c2,
                                                      .y = one}); });
  CHECK(e.find("fewer than 2 values per channel") != std::string::npos);
  Tensor out(buf.data(), Shape{2, 2, 2, 2}, DType::f32), arg(ibuf.data(), Shape{2, 2, 2, 2}, DType::i32);
  e = error_of([&] { maxpool_forward(ctx, MaxPoolParams{3, 2, 1}, {.x = x, .y = out, .argmax = out}); });
  CHECK(e.find("maxpool_forward: argmax is f32, expected i32") == 0);
  e = error_of([&] { maxpool_forward(ctx, MaxPoolParams{9, 1, 0}, {.x = x, .y = out, .argmax = arg}); });
  CHECK(e.find("smaller than the kernel") != std::string::npos);
  Tensor gy(buf.data(), Shape{2, 3}, DType::f32);
  e = error_of([&] { global_avgpool_forward(ctx, {.x = x, .y = gy}); });
  CHECK(e.find("global_avgpool_forward: y dim 1 is 3, expected 2") == 0);
}
