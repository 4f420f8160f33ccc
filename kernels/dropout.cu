// Inverted dropout on the GPU: the keep decision and scale come from kernels/dropout_ops.h, so the
// mask equals the cpu one bit for bit for the same key.
#include "kernels/dropout.h"
#include "kernels/cuda_context.h"
#include "kernels/dropout_ops.h"

namespace aws {

// The key is read from device memory (the staged step inputs), not passed by value, so a captured
// graph's replays use each step's key.
static __global__ void dropout_fwd_kernel(const int32_t* key_words, uint32_t layer, float p, const float* x, float* y,
                                          uint8_t* mask, int64_t n) {
  const float scale = dropout_scale<float>(p);
  const uint64_t key = dropout_key(key_words);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const bool keep = dropout_keep(key, layer, i, p);
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

static __global__ void dropout_bwd_kernel(float p, const float* dy, const uint8_t* mask, float* dx, int64_t n) {
  const float scale = dropout_scale<float>(p);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}

void dropout_forward_cuda(Ctx& ctx, const DropoutParams& p, const DropoutForwardArgs& a) {
  const int64_t n = a.x.numel();
  if (n == 0) return;
  dropout_fwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(a.key.i32(), p.layer, p.p, a.x.f32(), a.y.f32(),
                                                              a.mask.u8(), n);
  AWS_LAUNCH_CHECK(ctx, "dropout_forward");
}

void dropout_backward_cuda(Ctx& ctx, const DropoutParams& p, const DropoutBackwardArgs& a) {
  const int64_t n = a.dy.numel();
  if (n == 0) return;
  dropout_bwd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(p.p, a.dy.f32(), a.mask.u8(), a.dx.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "dropout_backward");
}

}  // namespace aws
