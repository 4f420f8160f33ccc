#include "engine/optim/adam.h"

#include "core/cuda_dispatch.h"

namespace aws {

Adam::Adam(AdamConfig cfg) : cfg_(cfg) {
  if (!(cfg.beta1 >= 0 && cfg.beta1 < 1) || !(cfg.beta2 >= 0 && cfg.beta2 < 1))
    throw UserError("adam: betas must be in [0, 1)");
  if (!(cfg.eps > 0)) throw UserError("adam: eps must be > 0");
  if (!(cfg.weight_decay >= 0)) throw UserError("adam: weight decay is negative");
}

void Adam::declare_state(Arena& state, const ParamList& params) {
  AWS_ASSERT(params_.empty(), "adam: declare_state called twice");
  check_params("adam", params);
  params_ = params;
  m_ = std::make_unique<Tensor[]>(params.size());
  v_ = std::make_unique<Tensor[]>(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    AWS_ASSERT(params[i].param->device == state.device(), "adam: state arena on another device");
    state.add(&m_[i], params[i].param->shape, DType::f32);
    state.add(&v_[i], params[i].param->shape, DType::f32);
  }
  state.add(&t_, Shape{1}, DType::i32);
}

void Adam::step(Ctx& ctx, const Tensor& lr, const Tensor* grad_scale) {
  check_step_scalars("adam_step", params_, lr, grad_scale);
  if (ctx.is_cuda())
    return AWS_CUDA_CALL(adam_step_cuda, (ctx, cfg_, params_, m_.get(), v_.get(), t_, lr, grad_scale));
  adam_step_cpu(ctx, cfg_, params_, m_.get(), v_.get(), t_, lr, grad_scale);
}

}  // namespace aws
