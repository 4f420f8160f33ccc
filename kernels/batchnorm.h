// batchnorm: the cuda launchers (kernels/batchnorm.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/batchnorm.h, the cpu version engine/ops/batchnorm_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

struct BatchNormParams {
  float eps = 1e-5f;
  float momentum = 0.1f;
  bool relu = false;
};

void batchnorm_forward_train_cuda(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                  const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                                  Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y);
void batchnorm_forward_eval_cuda(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                 const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                                 const Tensor& running_var, Tensor& y);
void batchnorm_backward_cuda(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& y,
                             const Tensor& dy, const Tensor& gamma, const Tensor& save_mean,
                             const Tensor& save_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta,
                             Tensor* dresidual);

}  // namespace aws
