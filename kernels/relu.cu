// ReLU on the GPU: grid-stride loops over the shared bodies of kernels/relu_ops.h.
#include "kernels/relu.h"
#include "kernels/relu_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

static __global__ void relu_fwd_kernel(const float* x, float* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = relu_fwd(x[i]);
}

static __global__ void relu_bwd_kernel(const float* y, const float* dy, float* dx, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dx[i] = relu_bwd(y[i], dy[i]);
}

void relu_forward_cuda(Ctx& ctx, const ReluForwardArgs& a) {
  const int64_t n = a.x.numel();
  if (n == 0) return;
  relu_fwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(a.x.f32(), a.y.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "relu_forward");
}

void relu_backward_cuda(Ctx& ctx, const ReluBackwardArgs& a) {
  const int64_t n = a.y.numel();
  if (n == 0) return;
  relu_bwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(a.y.f32(), a.dy.f32(), a.dx.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "relu_backward");
}

}  // namespace aws
