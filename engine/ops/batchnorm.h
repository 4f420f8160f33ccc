// Batch-norm over N·H·W per channel (NHWC), fused with an optional residual add and ReLU:
//   y = act(gamma·(x − mean)·invstd + beta + residual)
// Running statistics use PyTorch's convention: running = (1 − momentum)·running + momentum·batch,
// with the unbiased batch variance; normalization uses the biased one. The fusion is what lets a
// ResNet block's "BN → add → ReLU" be one pass forward and one pass backward.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/batchnorm.h"

namespace aws {

// Tensors as kernels/batchnorm.h's argument structs name them.
void batchnorm_forward_train(Ctx& ctx, const BatchNormParams& p, const BatchNormTrainArgs& a);
void batchnorm_forward_eval(Ctx& ctx, const BatchNormParams& p, const BatchNormEvalArgs& a);
// Backward of the fused op. dy is the gradient wrt y; with p.relu, y (the forward output) masks it.
// Overwrites dx, dgamma, dbeta; dresidual (optional) receives the masked dy. dx may alias dy.
void batchnorm_backward(Ctx& ctx, const BatchNormParams& p, const BatchNormBackwardArgs& a);

void batchnorm_forward_train_cpu(Ctx& ctx, const BatchNormParams& p, const BatchNormTrainArgs& a);
void batchnorm_forward_eval_cpu(Ctx& ctx, const BatchNormParams& p, const BatchNormEvalArgs& a);
void batchnorm_backward_cpu(Ctx& ctx, const BatchNormParams& p, const BatchNormBackwardArgs& a);

}  // namespace aws
