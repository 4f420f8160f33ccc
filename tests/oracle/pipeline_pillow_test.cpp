// The whole fused pass against a Pillow composition: Python recomposes every image from the draws
// the pass returns (tests/support/pillow_space.py: pad/crop/flip with numpy, the pair-op with the
// authors' PIL calls, Cutout, normalize in float32). The uint8 stage must be bit-exact (checked through
// mean 0, std 1, where v/255 is injective in v) and the normalized output within 1e-6.
#include <doctest/doctest.h>

#include <string>

#include <random>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "tests/support/oracle.h"
#include "tests/support/pillow_space.h"

using namespace aws;
using namespace aws::test;

namespace {

const std::string kRecompose = kPillowSpace + R"PY(
P = I['params']
O['u8'], O['out'] = recompose(I['images'], I['indices'], I['draws'], int(P[0]), int(P[1]), I['mean'], I['std'])
)PY";

void check_pass(const std::string& policy, bool pair_only, int h, int w, int c, uint64_t seed) {
  INFO("policy ", policy, " pair_only ", pair_only, " ", h, "x", w, "x", c, " seed ", seed);
  const int N = 48, n = 40;
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> px(size_t(N) * h * w * c);
  // Half the images low-contrast (values in a narrow band) so AutoContrast/Equalize do real work.
  for (int i = 0; i < N; ++i) {
    int lo = i % 2 ? int(rng() % 200) : 0, span = i % 2 ? 1 + int(rng() % 40) : 256;
    for (size_t k = 0; k < size_t(h) * w * c; ++k) px[size_t(i) * h * w * c + k] = uint8_t(lo + rng() % span);
  }
  std::vector<int32_t> idx(n);
  for (auto& v : idx) v = int32_t(rng() % N);
  Policy pol = builtin_policy(policy);
  Normalization nm;
  for (int q = 0; q < 3; ++q) nm.mean[q] = 0.3f + 0.1f * q, nm.std[q] = 0.2f + 0.05f * q;
  Normalization unit;
  PlanOptions opt;
  opt.pair_only = pair_only;
  Ctx ctx(Device::cpu, 2);
  Tensor images(px.data(), Shape{N, h, w, c}, DType::u8);
  const size_t img = size_t(h) * w * c;
  std::vector<float> out(n * img), raw(n * img);
  std::vector<ImageDraws> draws(n);
  RngKey key{seed, 2, 3, 0, 1, 0};
  Tensor o1(out.data(), Shape{n, h, w, c}, DType::f32), o2(raw.data(), Shape{n, h, w, c}, DType::f32);
  Tensor idx_t(idx.data(), Shape{n}, DType::i32);
  augment_batch(ctx, make_augment_plan(pol, h, w, c, nm, opt),
                {.images = images, .indices = idx_t, .key = key, .out = o1, .draws = draws.data()});
  augment_batch(ctx, make_augment_plan(pol, h, w, c, unit, opt),
                {.images = images, .indices = idx_t, .key = key, .out = o2});

  std::vector<int32_t> d(size_t(n) * 10);
  for (int b = 0; b < n; ++b) {
    const ImageDraws& x = draws[size_t(b)];
    int32_t v[10] = {x.crop_x, x.crop_y, x.flip, x.op1, x.op2, x.pair, x.sign1, x.sign2, x.cut_y, x.cut_x};
    std::copy(v, v + 10, d.begin() + b * 10);
  }
  AugmentPlan plan = make_augment_plan(pol, h, w, c, nm, opt);
  int32_t params[2] = {plan.params.crop_pad, plan.params.cutout};
  Arrays in{{"images", array_u8({N, h, w, c}, px.data())},
            {"indices", array_i32({n}, idx.data())},
            {"draws", array_i32({n, 10}, d.data())},
            {"params", array_i32({2}, params)},
            {"mean", array_f32({3}, nm.mean)},
            {"std", array_f32({3}, nm.std)}};
  Arrays res = run_python(kRecompose, in);
  const uint8_t* u8 = res["u8"].as<uint8_t>();
  auto ref = res["out"].to_f32();
  REQUIRE(ref.size() == out.size());
  // uint8 stage: with mean 0 and std 1 the pass writes v/255 (cutout 0), which is injective in v.
  int64_t differ = 0, first = -1;
  for (size_t k = 0; k < raw.size(); ++k) {
    const size_t b = k / img, pix = (k % img) / size_t(c);
    const int y = int(pix / size_t(w)), x = int(pix % size_t(w));
    const ImageDraws& dr = draws[b];
    const bool cut = plan.params.cutout > 0 && in_cutout(plan.params, dr, y, x);
    const float want = cut ? 0.0f : float(u8[k]) / 255.0f;
    if (raw[k] != want && differ++ == 0) first = int64_t(k);
  }
  INFO("first differing value ", first);
  CHECK(differ == 0);
  Compare cmp = compare(out.data(), ref.data(), int64_t(out.size()));
  INFO("max abs ", cmp.max_abs, " at ", cmp.worst);
  CHECK(cmp.max_abs <= 1e-6);
  int with_pair = 0;
  for (auto& x : draws) with_pair += x.op1 >= 0;
  if (pol.has_pair_op()) CHECK(with_pair == n);
}

}  // namespace

TEST_CASE("pipeline oracle: pair-op only (crop/flip/cutout disabled) equals Pillow, RGB 32x32 and gray 28x28") {
  const uint64_t seed = test_seed(31);
  check_pass("uniform", true, 32, 32, 3, seed);
  check_pass("uniform", true, 28, 28, 1, seed + 1);
}

TEST_CASE("pipeline oracle: crop + flip + pair-op + cutout equals the Pillow composition") {
  const uint64_t seed = test_seed(32);
  check_pass("uniform", false, 32, 32, 3, seed);
  check_pass("uniform", false, 28, 28, 1, seed + 1);
  check_pass("uniform", false, 20, 27, 3, seed + 2);  // odd size: cutout side 12, clipped boxes
  check_pass("autoaugment-cifar10", false, 32, 32, 3, seed + 3);  // identity letter
  check_pass("cutout", false, 32, 32, 3, seed + 4);
}
