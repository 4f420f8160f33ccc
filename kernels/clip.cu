// Gradient-norm clipping on the GPU. The norm sums squares in exactly the cpu's order (fixed chunks
// of max(16384, ⌈n/256⌉) elements, chunk order, tensor order, all in double), so it is bit-identical
// to grad_clip_cpu; the scale (kernels/clip_ops.h) stays on the device for the optimizer step.
#include <algorithm>

#include "kernels/clip.h"
#include "kernels/clip_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

constexpr int kMaxChunks = 256;

// One block; thread c sums chunk c serially (the cpu's order), thread 0 adds the chunks in order.
__global__ void sumsq_kernel(const float* g, int64_t n, int64_t chunk, double* subtotal) {
  __shared__ double part[kMaxChunks];
  const int64_t chunks = (n + chunk - 1) / chunk;
  const int64_t c = threadIdx.x;
  if (c < chunks) {
    double s = 0.0;
    const int64_t end = min(n, (c + 1) * chunk);
    for (int64_t i = c * chunk; i < end; ++i) s += double(g[i]) * double(g[i]);
    part[c] = s;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0.0;
    for (int64_t k = 0; k < chunks; ++k) total += part[k];
    *subtotal = total;
  }
}

__global__ void clip_finish_kernel(const double* subtotals, int count, float max_norm, float* norm, float* scale) {
  double total = 0.0;
  for (int k = 0; k < count; ++k) total += subtotals[k];
  const double nrm = sqrt(total);
  norm[0] = float(nrm);
  scale[0] = clip_scale(nrm, max_norm);
}

}  // namespace

void grad_clip_cuda(Ctx& ctx, const ParamList& params, float max_norm, Tensor& norm, Tensor& scale) {
  auto* sub = static_cast<double*>(ctx.cuda->scratch);
  AWS_ASSERT(params.size() * sizeof(double) <= ctx.cuda->scratch_bytes, "grad_clip: too many tensors for scratch");
  for (size_t k = 0; k < params.size(); ++k) {
    const int64_t n = params[k].grad->numel();
    const int64_t chunk = std::max<int64_t>(16384, (n + kMaxChunks - 1) / kMaxChunks);
    sumsq_kernel<<<1, kMaxChunks, 0, stream_of(ctx)>>>(params[k].grad->f32(), n, chunk, sub + k);
    AWS_LAUNCH_CHECK(ctx, "grad_clip (sum of squares)");
  }
  clip_finish_kernel<<<1, 1, 0, stream_of(ctx)>>>(sub, int(params.size()), max_norm, norm.f32(), scale.f32());
  AWS_LAUNCH_CHECK(ctx, "grad_clip");
}

}  // namespace aws
