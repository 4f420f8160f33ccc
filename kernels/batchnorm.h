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

// The tensors of each batch-norm op, named at the call site with designated initializers
// ({.x = …, .gamma = …}); every member but the optional residual is a reference, so none can be left
// out and none can be swapped with a neighbour of another role without its name showing it.
// x, y, residual, dy, dx, dresidual: [N,H,W,C]; every other tensor [C].
struct BatchNormTrainArgs {
  const Tensor& x;
  const Tensor& gamma;
  const Tensor& beta;
  Tensor& running_mean;  // updated with momentum
  Tensor& running_var;
  Tensor& save_mean;     // written for the backward
  Tensor& save_invstd;
  Tensor& y;
  const Tensor* residual = nullptr;  // added before the ReLU
};

struct BatchNormEvalArgs {
  const Tensor& x;
  const Tensor& gamma;
  const Tensor& beta;
  const Tensor& running_mean;
  const Tensor& running_var;
  Tensor& y;
  const Tensor* residual = nullptr;
};

struct BatchNormBackwardArgs {
  const Tensor& x;
  const Tensor& y;     // the forward output (masks dy under ReLU)
  const Tensor& dy;
  const Tensor& gamma;
  const Tensor& save_mean;
  const Tensor& save_invstd;
  Tensor& dx;          // may alias dy
  Tensor& dgamma;
  Tensor& dbeta;
  Tensor* dresidual = nullptr;  // receives the masked dy
};

void batchnorm_forward_train_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormTrainArgs& a);
void batchnorm_forward_eval_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormEvalArgs& a);
void batchnorm_backward_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormBackwardArgs& a);

}  // namespace aws
