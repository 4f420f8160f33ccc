#include "engine/ops/relu.h"
#include "kernels/relu_ops.h"

namespace aws {

void relu_forward_cpu(Ctx&, const Tensor& x, Tensor& y) {
  const float* a = x.f32();
  float* b = y.f32();
  const int64_t n = x.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) b[i] = relu_fwd(a[i]);
}

void relu_backward_cpu(Ctx&, const Tensor& y, const Tensor& dy, Tensor& dx) {
  const float* o = y.f32();
  const float* g = dy.f32();
  float* d = dx.f32();
  const int64_t n = y.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) d[i] = relu_bwd(o[i], g[i]);
}

}  // namespace aws
