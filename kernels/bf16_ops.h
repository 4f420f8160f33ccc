// bfloat16, the storage type of the cuda backend's half-precision activations, and its conversions,
// written once for both backends (the cpu casts and reads the same bits the kernels do):
// f32 → bf16 rounds to nearest, ties to even (NaN stays NaN, made quiet); bf16 → f32 is exact.
// Kernels read any activation through to_f32() and write it through from_f32<T>(), so one template
// body serves f32 and bf16 tensors; all arithmetic stays in f32 (or double for reductions).
#pragma once
#include <cstdint>
#include <cstring>

#include "core/hd.h"

namespace aws {

struct bf16 {
  uint16_t bits;
};
static_assert(sizeof(bf16) == 2, "bf16 must be two bytes");

AWS_HD uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

AWS_HD float f32_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

AWS_HD bf16 bf16_from_f32(float f) {
  uint32_t u = f32_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return bf16{uint16_t((u >> 16) | 0x0040u)};  // NaN: keep it a NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even (carries into the exponent correctly)
  return bf16{uint16_t(u >> 16)};
}

AWS_HD float bf16_to_f32(bf16 h) { return f32_from_bits(uint32_t(h.bits) << 16); }

AWS_HD float to_f32(float v) { return v; }
AWS_HD float to_f32(bf16 v) { return bf16_to_f32(v); }

template <class T>
AWS_HD T from_f32(float v);
template <>
AWS_HD float from_f32<float>(float v) {
  return v;
}
template <>
AWS_HD bf16 from_f32<bf16>(float v) {
  return bf16_from_f32(v);
}

}  // namespace aws
