#include "engine/optim/sgd.h"

#include "core/cuda_dispatch.h"

namespace aws {

Sgd::Sgd(SgdConfig cfg) : cfg_(cfg) {
  if (!(cfg.momentum >= 0.f && cfg.momentum < 1.f))
    throw UserError("sgd: momentum " + std::to_string(cfg.momentum) + " is outside [0, 1)");
  if (!(cfg.weight_decay >= 0.f))
    throw UserError("sgd: weight decay " + std::to_string(cfg.weight_decay) + " is negative");
  if (cfg.nesterov && cfg.momentum == 0.f) throw UserError("sgd: Nesterov needs a momentum > 0");
}

void Sgd::declare_state(Arena& state, const ParamList& params) {
  AWS_ASSERT(params_.empty(), "sgd: declare_state called twice");
  check_params("sgd", params);
  params_ = params;
  bufs_ = std::make_unique<Tensor[]>(params.size());
  if (cfg_.momentum == 0.f) return;
  for (size_t i = 0; i < params.size(); ++i) {
    AWS_ASSERT(params[i].param->device == state.device(), "sgd: state arena on another device");
    state.add(&bufs_[i], params[i].param->shape, DType::f32);
  }
}

void Sgd::step(Ctx& ctx, const Tensor& lr, const Tensor* grad_scale) {
  check_step_scalars("sgd_step", params_, lr, grad_scale);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(sgd_step_cuda, (ctx, cfg_, params_, bufs_.get(), lr, grad_scale));
  sgd_step_cpu(ctx, cfg_, params_, bufs_.get(), lr, grad_scale);
}

}  // namespace aws
