#include "engine/ops/cast.h"
#include "kernels/bf16_ops.h"

namespace aws {

void cast_cpu(Ctx&, const Tensor& x, Tensor& y) {
  const int64_t n = x.numel();
  if (x.dtype == DType::f32) {
    const float* a = x.f32();
    bf16* b = y.as<bf16>();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) b[i] = bf16_from_f32(a[i]);
  } else {
    const bf16* a = x.as<bf16>();
    float* b = y.f32();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) b[i] = bf16_to_f32(a[i]);
  }
}

}  // namespace aws
