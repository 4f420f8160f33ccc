// SGD on the cpu: the shared per-element body (kernels/sgd_ops.h) in a loop per tensor.
#include "engine/optim/sgd.h"
#include "kernels/sgd_ops.h"

namespace aws {

void sgd_step_cpu(Ctx&, const SgdConfig& cfg, const ParamList& params, const Tensor* bufs, const Tensor& lr_t,
                  const Tensor* grad_scale) {
  const float scale = grad_scale ? grad_scale->f32()[0] : 1.f;
  const float lr = lr_t.f32()[0];
  for (size_t t = 0; t < params.size(); ++t) {
    const ParamRef& r = params[t];
    const SgdCoeffs c{lr, cfg.momentum, r.decay ? cfg.weight_decay : 0.f, cfg.nesterov};
    float* p = r.param->f32();
    const float* g = r.grad->f32();
    float* b = bufs[t].f32();  // null when momentum is 0: sgd_update then never touches buf
    const int64_t n = r.param->numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      float none = 0.f;
      sgd_update(p[i], b ? b[i] : none, g[i], scale, c);
    }
  }
}

}  // namespace aws
