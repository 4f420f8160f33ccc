// adam: the cuda launcher (kernels/adam.cu) and its configuration; the optimizer class is
// engine/optim/adam.h, the cpu version engine/optim/adam_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/param_list.h"
#include "core/tensor.h"

namespace aws {

struct AdamConfig {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // applied to tensors with ParamRef::decay only
};

void adam_step_cuda(Ctx& ctx, const AdamConfig& cfg, const ParamList& params, const Tensor* m,
                    const Tensor* v, Tensor& step, const Tensor& lr, const Tensor* grad_scale);

}  // namespace aws
