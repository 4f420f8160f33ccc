// SGD on the GPU over the shared body of kernels/sgd_ops.h. The learning rate and the clip scale are
// read on the device when the kernel runs, so a captured step (CUDA graph) replays with each step's
// rate and the update needs no host round trip.
#include "kernels/cuda_context.h"
#include "kernels/sgd.h"
#include "kernels/sgd_ops.h"

namespace aws {

namespace {

// `c` carries everything but the learning rate, which is read from lr[0].
__global__ void sgd_kernel(float* p, float* buf, const float* g, int64_t n, const float* grad_scale, const float* lr,
                           SgdCoeffs c) {
  const float s = grad_scale_of(grad_scale);
  c.lr = lr[0];
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    float none = 0.f;
    sgd_update(p[i], buf ? buf[i] : none, g[i], s, c);
  }
}

}  // namespace

void sgd_step_cuda(Ctx& ctx, const SgdConfig& cfg, const ParamList& params, const Tensor* bufs, const Tensor& lr,
                   const Tensor* grad_scale) {
  for (size_t t = 0; t < params.size(); ++t) {
    const ParamRef& r = params[t];
    const int64_t n = r.param->numel();
    if (n == 0) continue;
    const SgdCoeffs c{0.f, cfg.momentum, r.decay ? cfg.weight_decay : 0.f, cfg.nesterov};
    sgd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(r.param->f32(), bufs[t].data ? bufs[t].f32() : nullptr,
                                                        r.grad->f32(), n, grad_scale ? grad_scale->f32() : nullptr,
                                                        lr.f32(), c);
    AWS_LAUNCH_CHECK(ctx, "sgd_step");
  }
}

}  // namespace aws
