// ReLU on the cpu (f32): loops over the shared bodies of kernels/relu_ops.h.
#include "engine/ops/relu.h"
#include "kernels/relu_ops.h"

namespace aws {

void relu_forward_cpu(Ctx&, const ReluForwardArgs& a) {
  const float* x = a.x.f32();
  float* y = a.y.f32();
  const int64_t n = a.x.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = relu_fwd(x[i]);
}

void relu_backward_cpu(Ctx&, const ReluBackwardArgs& a) {
  const float* y = a.y.f32();
  const float* dy = a.dy.f32();
  float* dx = a.dx.f32();
  const int64_t n = a.y.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] = relu_bwd(y[i], dy[i]);
}

}  // namespace aws
