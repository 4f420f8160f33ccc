// Inverted dropout on the GPU: the keep decision and scale come from kernels/dropout_ops.h, so the
// mask equals the cpu one bit for bit for the same key.
#include "kernels/dropout.h"
#include "kernels/cuda_context.h"
#include "kernels/dropout_ops.h"

namespace aws {

static __global__ void dropout_fwd_kernel(uint64_t key, float p, const float* x, float* y, uint8_t* mask,
                                          int64_t n) {
  const float scale = dropout_scale<float>(p);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const bool keep = dropout_keep(key, i, p);
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

static __global__ void dropout_bwd_kernel(float p, const float* dy, const uint8_t* mask, float* dx, int64_t n) {
  const float scale = dropout_scale<float>(p);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}

void dropout_forward_cuda(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask) {
  const int64_t n = x.numel();
  if (n == 0) return;
  dropout_fwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(key, p.p, x.f32(), y.f32(), mask.u8(), n);
  AWS_LAUNCH_CHECK(ctx, "dropout_forward");
}

void dropout_backward_cuda(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx) {
  const int64_t n = dy.numel();
  if (n == 0) return;
  dropout_bwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(p.p, dy.f32(), mask.u8(), dx.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "dropout_backward");
}

}  // namespace aws
