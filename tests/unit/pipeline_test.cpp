// The fused augmentation pass on the cpu: independence of batch size, batch order and thread count;
// crop/flip/cutout against a direct per-pixel recomputation from the returned draws; the eval path;
// the P_AV variant; pair counts (from host draws, and counted by the pass itself into a counter tensor).
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/pipeline.h"
#include "tests/support/oracle.h"

using namespace aws;
using aws::test::test_seed;

namespace {

struct Data {
  int n, h, w, c;
  std::vector<uint8_t> px;
  Tensor t() { return Tensor(px.data(), Shape{n, h, w, c}, DType::u8); }
};

Data random_images(int n, int h, int w, int c, uint64_t seed) {
  Data d{n, h, w, c, std::vector<uint8_t>(size_t(n) * h * w * c)};
  std::mt19937_64 rng(seed);
  for (auto& v : d.px) v = uint8_t(rng() >> 56);
  return d;
}

// An index list as the i32 tensor the pass reads (a view of host memory on the cpu).
Tensor idx_view(const int32_t* p, int n) { return Tensor(const_cast<int32_t*>(p), Shape{n}, DType::i32); }

Normalization some_norm() {
  Normalization nm;
  nm.mean[0] = 0.49f, nm.mean[1] = 0.48f, nm.mean[2] = 0.45f;
  nm.std[0] = 0.25f, nm.std[1] = 0.24f, nm.std[2] = 0.26f;
  return nm;
}

struct Run {
  std::vector<float> out;
  std::vector<ImageDraws> draws;
};

// Runs the pass over `idx` in batches of `bs` with `threads` threads.
Run run(const Policy& pol, Data& d, const std::vector<int32_t>& idx, int bs, int threads, RngKey key,
        PlanOptions opt = {}) {
  Ctx ctx(Device::cpu, threads);
  AugmentPlan plan = make_augment_plan(pol, d.h, d.w, d.c, some_norm(), opt);
  Run r;
  const size_t img = size_t(d.h) * d.w * d.c;
  r.out.assign(idx.size() * img, -99.f);
  r.draws.resize(idx.size());
  Tensor src = d.t();
  for (size_t b0 = 0; b0 < idx.size(); b0 += size_t(bs)) {
    int n = int(std::min(idx.size() - b0, size_t(bs)));
    Tensor out(r.out.data() + b0 * img, Shape{n, d.h, d.w, d.c}, DType::f32);
    augment_batch(
        ctx, plan,
        {.images = src, .indices = idx_view(idx.data() + b0, n), .key = key, .out = out, .draws = r.draws.data() + b0});
  }
  return r;
}

bool same_draws(const ImageDraws& a, const ImageDraws& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("pipeline: an image's augmentation does not depend on batch size, batch order or thread count") {
  const uint64_t seed = test_seed(21);
  INFO("seed ", seed);
  for (int c : {3, 1}) {
    Data d = random_images(40, c == 3 ? 32 : 28, c == 3 ? 32 : 28, c, seed + c);
    std::vector<int32_t> idx(40);
    for (int i = 0; i < 40; ++i) idx[size_t(i)] = (i * 17 + 3) % 40;
    RngKey key{seed, 1, 0, 0, 4, 0};
    Policy u = builtin_policy("uniform");
    Run a = run(u, d, idx, 40, 1, key), b = run(u, d, idx, 7, 2, key);
    CHECK(a.out == b.out);
    for (size_t i = 0; i < idx.size(); ++i) CHECK(same_draws(a.draws[i], b.draws[i]));
    // Reversed order: image idx[i] gets the same result wherever it sits in the batch.
    std::vector<int32_t> rev(idx.rbegin(), idx.rend());
    Run r = run(u, d, rev, 13, 2, key);
    const size_t img = d.px.size() / 40;
    for (size_t i = 0; i < idx.size(); ++i) {
      size_t j = idx.size() - 1 - i;
      CHECK(std::memcmp(a.out.data() + i * img, r.out.data() + j * img, img * sizeof(float)) == 0);
      CHECK(same_draws(a.draws[i], r.draws[j]));
    }
    // Another epoch: other draws for most images.
    RngKey k2 = key;
    k2.epoch = 5;
    Run e = run(u, d, idx, 40, 2, k2);
    int same = 0;
    for (size_t i = 0; i < idx.size(); ++i) same += e.draws[i].pair == a.draws[i].pair;
    CHECK(same < 4);
  }
}

TEST_CASE("pipeline: crop, flip and cutout equal a direct recomputation from the draws (no pair-op)") {
  const uint64_t seed = test_seed(22);
  INFO("seed ", seed);
  for (int c : {3, 1}) {
    const int h = c == 3 ? 32 : 28, w = h, side = c == 3 ? 16 : 14;
    Data d = random_images(64, h, w, c, seed + c);
    std::vector<int32_t> idx(64);
    for (int i = 0; i < 64; ++i) idx[size_t(i)] = i;
    Run r = run(builtin_policy("cutout"), d, idx, 64, 2, RngKey{seed, 1, 0, 0, 0, 0});
    Normalization nm = some_norm();
    int flips = 0;
    for (int b = 0; b < 64; ++b) {
      const ImageDraws& dr = r.draws[size_t(b)];
      CHECK(dr.op1 == -1);
      CHECK(dr.pair == -1);
      flips += dr.flip;
      CHECK((dr.crop_x >= 0 && dr.crop_x <= 8 && dr.crop_y >= 0 && dr.crop_y <= 8));
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int q = 0; q < c; ++q) {
            int sx = (dr.flip ? w - 1 - x : x) + dr.crop_x - 4, sy = y + dr.crop_y - 4;
            int v = (sx < 0 || sy < 0 || sx >= w || sy >= h) ? 0 : d.px[((size_t(b) * h + sy) * w + sx) * c + q];
            float f = float(v) / 255.0f;
            bool cut = y >= dr.cut_y - side / 2 && y < dr.cut_y + side / 2 && x >= dr.cut_x - side / 2 &&
                       x < dr.cut_x + side / 2;
            if (cut) f = 0.0f;
            float want = (f - nm.mean[q]) / nm.std[q];
            float got = r.out[((size_t(b) * h + y) * w + x) * c + q];
            if (got != want) {
              INFO("image ", b, " y ", y, " x ", x, " ch ", q);
              CHECK(got == want);
              return;
            }
          }
    }
    CHECK(flips > 16);  // p = 0.5 over 64 images: 32 ± 4
    CHECK(flips < 48);
  }
}

TEST_CASE("pipeline: policy none equals normalize_batch; P_AV applies only the pair-op") {
  const uint64_t seed = test_seed(23);
  INFO("seed ", seed);
  Data d = random_images(16, 32, 32, 3, seed);
  std::vector<int32_t> idx{3, 1, 4, 1, 5, 9, 2, 6};
  Run r = run(builtin_policy("none"), d, idx, 8, 2, RngKey{seed});
  std::vector<float> ev(r.out.size());
  Ctx ctx(Device::cpu, 2);
  Tensor out(ev.data(), Shape{8, 32, 32, 3}, DType::f32);
  normalize_batch(ctx, some_norm(), {.images = d.t(), .indices = idx_view(idx.data(), 8), .out = out});
  CHECK(ev == r.out);

  Policy u = builtin_policy("uniform");
  PlanOptions av;
  av.pair_only = true;
  Run p = run(u, d, idx, 8, 2, RngKey{seed}, av);
  const size_t img = 32 * 32 * 3;
  std::vector<uint8_t> a(img), b(img);
  Normalization nm = some_norm();
  for (size_t i = 0; i < idx.size(); ++i) {
    const ImageDraws& dr = p.draws[i];
    CHECK(dr.flip == 0);
    CHECK(dr.cut_x == -1);
    REQUIRE(dr.pair >= 0);
    apply_element(dr.op1, dr.sign1, d.px.data() + size_t(idx[i]) * img, a.data(), 32, 32, 3);
    apply_element(dr.op2, dr.sign2, a.data(), b.data(), 32, 32, 3);
    for (size_t k = 0; k < img; ++k) {
      float want = (float(b[k]) / 255.0f - nm.mean[k % 3]) / nm.std[k % 3];
      if (p.out[i * img + k] != want) {
        INFO("image ", i, " value ", k);
        CHECK(p.out[i * img + k] == want);
        break;
      }
    }
  }
}

TEST_CASE("pipeline: cutout box is clipped at the borders; cutout side keeps the 25% area") {
  CHECK(cutout_side(16, 32, 32) == 16);
  CHECK(cutout_side(16, 28, 28) == 14);
  CHECK(cutout_side(16, 64, 64) == 32);
  CHECK(cutout_side(0, 32, 32) == 0);
  AugmentParams p;
  p.h = p.w = 32, p.cutout = 16;
  ImageDraws d;
  d.cut_y = 0, d.cut_x = 31;
  CHECK(in_cutout(p, d, 0, 31));
  CHECK(in_cutout(p, d, 7, 23));
  CHECK(!in_cutout(p, d, 8, 23));
  CHECK(!in_cutout(p, d, 7, 22));
}

TEST_CASE("pipeline: pair counts accumulate over draws with a 36-letter pair") {
  std::vector<ImageDraws> d(5);
  d[0].pair = 7, d[1].pair = 7, d[2].pair = 1295, d[3].pair = -1, d[4].pair = 0;
  std::vector<int64_t> counts(kPairs, 0);
  counts[7] = 10;
  count_pairs(d.data(), 5, counts.data());
  CHECK(counts[7] == 12);
  CHECK(counts[1295] == 1);
  CHECK(counts[0] == 1);
  int64_t total = 0;
  for (auto v : counts) total += v;
  CHECK(total == 14);
}

TEST_CASE("pipeline: facade rejects bad shapes and out-of-range indices") {
  Data d = random_images(4, 32, 32, 3, 1);
  Ctx ctx(Device::cpu, 1);
  AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), 32, 32, 3, some_norm());
  std::vector<float> o(2 * 32 * 32 * 3);
  Tensor out(o.data(), Shape{2, 32, 32, 3}, DType::f32);
  std::vector<int32_t> bad{0, 4};
  CHECK_THROWS_AS(
      augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(bad.data(), 2), .key = RngKey{}, .out = out}),
      Error);
  Tensor wrong(o.data(), Shape{2, 32, 32, 1}, DType::f32);
  std::vector<int32_t> ok{0, 3};
  CHECK_THROWS_AS(
      augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(ok.data(), 2), .key = RngKey{}, .out = wrong}),
      Error);
  CHECK_NOTHROW(
      augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(ok.data(), 2), .key = RngKey{}, .out = out}));
  std::vector<int32_t> c(kPairs - 1, 0);
  Tensor short_counts(c.data(), Shape{kPairs - 1}, DType::i32);
  CHECK_THROWS_AS(augment_batch(ctx, plan,
                                {.images = d.t(),
                                 .indices = idx_view(ok.data(), 2),
                                 .key = RngKey{},
                                 .out = out,
                                 .pair_counts = &short_counts}),
                  Error);
  Tensor f32_idx(ok.data(), Shape{2}, DType::f32);
  CHECK_THROWS_AS(augment_batch(ctx, plan, {.images = d.t(), .indices = f32_idx, .key = RngKey{}, .out = out}), Error);
}

TEST_CASE("pipeline: the pass's own pair counter equals count_pairs over its draws, across calls and threads") {
  const uint64_t seed = test_seed(24);
  INFO("seed ", seed);
  Data d = random_images(300, 28, 28, 1, seed);
  Ctx ctx(Device::cpu, 2);
  // autoaugment-cifar10 has the identity letter: its draws without a 36-letter pair are not counted.
  for (const char* name : {"uniform", "autoaugment-cifar10", "none"}) {
    INFO("policy ", name);
    AugmentPlan plan = make_augment_plan(builtin_policy(name), 28, 28, 1, some_norm());
    std::vector<int32_t> idx(300), counter(kPairs, 0);
    for (int i = 0; i < 300; ++i) idx[size_t(i)] = (i * 7 + 1) % 300;
    std::vector<float> o(size_t(300) * 28 * 28);
    std::vector<ImageDraws> draws(300);
    std::vector<int64_t> want(kPairs, 0);
    Tensor counts(counter.data(), Shape{kPairs}, DType::i32);
    for (int call = 0; call < 3; ++call) {  // three batches of 100, new keys: counts accumulate
      Tensor out(o.data(), Shape{100, 28, 28, 1}, DType::f32);
      augment_batch(ctx, plan,
                    {.images = d.t(),
                     .indices = idx_view(idx.data() + 100 * call, 100),
                     .key = RngKey{seed, 0, 0, 0, uint32_t(call)},
                     .out = out,
                     .draws = draws.data(),
                     .pair_counts = &counts});
      count_pairs(draws.data(), 100, want.data());
    }
    int64_t total = 0;
    for (int k = 0; k < kPairs; ++k) {
      total += counter[size_t(k)];
      if (counter[size_t(k)] != want[size_t(k)]) {
        INFO("pair ", k);
        CHECK(counter[size_t(k)] == want[size_t(k)]);
      }
    }
    const std::string n = name;
    if (n == "uniform") CHECK(total == 300);
    if (n == "none") CHECK(total == 0);
    if (n == "autoaugment-cifar10") CHECK((total > 0 && total < 300));
  }
}

TEST_CASE("pipeline: the u8 output holds the pixels the f32 output normalizes, Cutout as 0, same draws") {
  const uint64_t seed = test_seed(23);
  INFO("seed ", seed);
  for (int c : {1, 3}) {
    Data d = random_images(20, 12, 10, c, seed + uint64_t(c));
    const int n = 16;
    std::vector<int32_t> idx(n);
    for (int b = 0; b < n; ++b) idx[size_t(b)] = (b * 7) % d.n;
    Ctx ctx(Device::cpu, 2);
    // mean 0, std 1: the f32 output is v/255 with Cutout 0, so it names the u8 bytes exactly.
    const AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), d.h, d.w, c, Normalization{});
    const size_t img = size_t(d.h) * d.w * c;
    std::vector<float> f(n * img);
    std::vector<uint8_t> u(n * img, 77);
    std::vector<ImageDraws> df(n), du(n);
    Tensor tf(f.data(), Shape{n, d.h, d.w, c}, DType::f32), tu(u.data(), Shape{n, d.h, d.w, c}, DType::u8);
    const RngKey key{seed, 0, 0, 0, 3, 0};
    augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(idx.data(), n), .key = key, .out = tf,
                              .draws = df.data()});
    augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(idx.data(), n), .key = key, .out = tu,
                              .draws = du.data()});
    int64_t cut = 0;
    for (int b = 0; b < n; ++b) CHECK(same_draws(df[size_t(b)], du[size_t(b)]));
    for (size_t i = 0; i < f.size(); ++i) {
      CHECK(f[i] == float(u[i]) / 255.0f);
      cut += u[i] == 0;
    }
    CHECK(cut > 0);  // cutout boxes are in the output
    int32_t bad = 0;
    Tensor wrong(&bad, Shape{1}, DType::i32);
    CHECK_THROWS_AS(augment_batch(ctx, plan, {.images = d.t(), .indices = idx_view(idx.data(), n), .key = key,
                                              .out = wrong}),
                    Error);
  }
}
