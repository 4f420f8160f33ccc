// Adam on the GPU over the shared body of kernels/adam_ops.h. The step counter, learning rate and
// clip scale live on the device and are read when the kernels run (no host round trip; a captured
// step replays with each step's rate).
#include "kernels/adam.h"
#include "kernels/adam_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

// Increments the step counter and computes the two coefficient sets (with / without decay).
__global__ void adam_bump_kernel(int32_t* step, AdamCoeffs* out, const float* lr_f, double b1, double b2,
                                 double eps, double wd) {
  const int32_t t = ++step[0];
  const double lr = double(lr_f[0]);
  out[0] = adam_coeffs(lr, b1, b2, eps, wd, double(t));
  out[1] = adam_coeffs(lr, b1, b2, eps, 0.0, double(t));
}

__global__ void adam_kernel(float* p, float* m, float* v, const float* g, int64_t n, const float* grad_scale,
                            const AdamCoeffs* coeffs) {
  const float s = grad_scale_of(grad_scale);
  const AdamCoeffs c = *coeffs;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    adam_update(p[i], m[i], v[i], g[i], s, c);
}

}  // namespace

void adam_step_cuda(Ctx& ctx, const AdamConfig& cfg, const ParamList& params, const Tensor* m, const Tensor* v,
                    Tensor& step, const Tensor& lr, const Tensor* grad_scale) {
  auto* coeffs = static_cast<AdamCoeffs*>(ctx.cuda->scratch);
  adam_bump_kernel<<<1, 1, 0, stream_of(ctx)>>>(step.i32(), coeffs, lr.f32(), cfg.beta1, cfg.beta2, cfg.eps,
                                                cfg.weight_decay);
  AWS_LAUNCH_CHECK(ctx, "adam_step (step counter)");
  for (size_t k = 0; k < params.size(); ++k) {
    const ParamRef& r = params[k];
    const int64_t n = r.param->numel();
    if (n == 0) continue;
    adam_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(r.param->f32(), m[k].f32(), v[k].f32(), r.grad->f32(), n,
                                                         grad_scale ? grad_scale->f32() : nullptr,
                                                         coeffs + (r.decay ? 0 : 1));
    AWS_LAUNCH_CHECK(ctx, "adam_step");
  }
}

}  // namespace aws
