// The f32 <-> bf16 conversion (kernels/bf16_ops.h, engine/ops/cast.h; the cuda kernels run the same
// body) against PyTorch's Tensor.to(torch.bfloat16): bit-equal on seeded random values over the whole
// exponent range, every tie case, signed zeros, subnormals, the largest finite values (which round to
// infinity), infinities and NaN; bf16 -> f32 widening is exact. Facade errors name the op.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/context.h"
#include "core/rng.h"
#include "engine/ops/cast.h"
#include "kernels/bf16_ops.h"
#include "tests/support/oracle.h"

namespace aws::test {

namespace {

std::vector<float> cast_inputs(uint64_t seed) {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 3.140625f, std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(), std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()};
  // Exact ties: the low 16 bits 0x8000, with an even and an odd kept bit, and one ulp either side.
  for (uint32_t hi : {0x3f800000u, 0x3f810000u, 0x00010000u, 0x7f7e0000u, 0xbf810000u})
    for (uint32_t lo : {0x7fffu, 0x8000u, 0x8001u}) v.push_back(f32_from_bits(hi | lo));
  for (uint32_t i = 0; i < 20000; ++i) {
    const Rand4 r = philox4x32(seed, i, 0);
    uint32_t bits = r.v[0];
    if ((bits & 0x7f800000u) == 0x7f800000u) bits &= 0xbfffffffu;  // keep random values finite
    v.push_back(f32_from_bits(bits));
  }
  return v;
}

}  // namespace

TEST_CASE("cast f32 -> bf16 -> f32 equals PyTorch bit for bit") {
  const uint64_t seed = test_seed(1125);
  INFO("seed ", seed);
  std::vector<float> x = cast_inputs(seed);
  const int64_t n = int64_t(x.size());
  std::vector<uint16_t> h(x.size());
  std::vector<float> back(x.size());
  Ctx ctx(Device::cpu, 2);
  Tensor tx(x.data(), Shape{n}, DType::f32), th(h.data(), Shape{n}, DType::bf16), tb(back.data(), Shape{n}, DType::f32);
  cast(ctx, {.x = tx, .y = th});
  cast(ctx, {.x = th, .y = tb});
  Arrays out = run_python(R"(
import torch, numpy as np
x = torch.from_numpy(I['x'])
O['bits'] = x.to(torch.bfloat16).view(torch.int16).numpy().astype(np.int32) & 0xffff
O['back'] = x.to(torch.bfloat16).to(torch.float32).numpy()
)", {{"x", array_f32({n}, x.data())}});
  const int32_t* bits = out.at("bits").as<int32_t>();
  const float* ref_back = out.at("back").as<float>();
  int64_t mismatches = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[size_t(i)])) continue;
    if (uint32_t(h[size_t(i)]) != uint32_t(bits[i]) || f32_bits(back[size_t(i)]) != f32_bits(ref_back[i])) {
      if (++mismatches <= 5)
        MESSAGE("x bits ", f32_bits(x[size_t(i)]), ": ours ", h[size_t(i)], ", torch ", bits[i]);
    }
  }
  CHECK(mismatches == 0);
  // The two largest finite values round up to infinity, as in PyTorch (checked above); NaN stays NaN.
  CHECK(std::isinf(bf16_to_f32(bf16_from_f32(std::numeric_limits<float>::max()))));
  CHECK(std::isnan(bf16_to_f32(bf16_from_f32(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isnan(bf16_to_f32(bf16_from_f32(-std::numeric_limits<float>::quiet_NaN()))));
}

TEST_CASE("cast facade: unsupported type pairs and shape mismatches name the op") {
  Ctx ctx(Device::cpu, 1);
  float a[4] = {}, b[4] = {};
  uint16_t h[3] = {};
  Tensor fa(a, Shape{4}, DType::f32), fb(b, Shape{4}, DType::f32), th(h, Shape{3}, DType::bf16);
  CHECK_THROWS_WITH_AS(cast(ctx, {.x = fa, .y = fb}), doctest::Contains("cast: f32 -> f32 is not supported"), Error);
  CHECK_THROWS_WITH_AS(cast(ctx, {.x = fa, .y = th}), doctest::Contains("cast"), Error);
}

}  // namespace aws::test
