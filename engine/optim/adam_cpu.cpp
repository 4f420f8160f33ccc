// Adam on the cpu: bias corrections once per step, then the shared per-element body per tensor.
#include "engine/optim/adam.h"
#include "kernels/adam_ops.h"

namespace aws {

void adam_step_cpu(Ctx&, const AdamConfig& cfg, const ParamList& params, const Tensor* m,
                   const Tensor* v, Tensor& step, const Tensor& lr_t, const Tensor* grad_scale) {
  const float scale = grad_scale ? grad_scale->f32()[0] : 1.f;
  const float lr = lr_t.f32()[0];
  const int32_t t = ++step.i32()[0];
  for (size_t k = 0; k < params.size(); ++k) {
    const ParamRef& r = params[k];
    const AdamCoeffs c =
        adam_coeffs(lr, cfg.beta1, cfg.beta2, cfg.eps, r.decay ? cfg.weight_decay : 0.0, double(t));
    float* p = r.param->f32();
    const float* g = r.grad->f32();
    float* mk = m[k].f32();
    float* vk = v[k].f32();
    const int64_t n = r.param->numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) adam_update(p[i], mk[i], vk[i], g[i], scale, c);
  }
}

}  // namespace aws
