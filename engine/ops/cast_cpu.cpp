// f32 <-> bf16 on the cpu over the conversion bodies of kernels/bf16_ops.h (the tests' reference for
// the cuda cast and the half-precision mode).
#include "engine/ops/cast.h"
#include "kernels/bf16_ops.h"

namespace aws {

void cast_cpu(Ctx&, const CastArgs& a) {
  const int64_t n = a.x.numel();
  if (a.x.dtype == DType::f32) {
    const float* src = a.x.f32();
    bf16* dst = a.y.as<bf16>();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_from_f32(src[i]);
  } else {
    const bf16* src = a.x.as<bf16>();
    float* dst = a.y.f32();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(src[i]);
  }
}

}  // namespace aws
