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

// x, y [N,H,W,C]; gamma, beta, running_*, save_* [C]; residual (optional) like y.
void batchnorm_forward_train(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                             const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                             Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y);
void batchnorm_forward_eval(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                            const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                            const Tensor& running_var, Tensor& y);
// Backward of the fused op. dy is the gradient wrt y; with p.relu, y (the forward output) masks it.
// Overwrites dx, dgamma, dbeta; dresidual (optional) receives the masked dy. dx may alias dy.
void batchnorm_backward(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& y,
                        const Tensor& dy, const Tensor& gamma, const Tensor& save_mean,
                        const Tensor& save_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta,
                        Tensor* dresidual);

void batchnorm_forward_train_cpu(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                 const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                                 Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y);
void batchnorm_forward_eval_cpu(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                                const Tensor& running_var, Tensor& y);
void batchnorm_backward_cpu(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& y,
                            const Tensor& dy, const Tensor& gamma, const Tensor& save_mean,
                            const Tensor& save_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta,
                            Tensor* dresidual);

}  // namespace aws
