// sgd: the cuda launcher (kernels/sgd.cu) and its configuration; the optimizer class is
// engine/optim/sgd.h, the cpu version engine/optim/sgd_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/param_list.h"
#include "core/tensor.h"

namespace aws {

struct SgdConfig {
  float momentum = 0.9f;
  bool nesterov = false;
  float weight_decay = 0.f;  // applied to tensors with ParamRef::decay only
};

void sgd_step_cuda(Ctx& ctx, const SgdConfig& cfg, const ParamList& params, const Tensor* bufs, const Tensor& lr,
                   const Tensor* grad_scale);

}  // namespace aws
