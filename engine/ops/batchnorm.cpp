// Batch-norm facades (fused residual + ReLU): check shapes, dtypes and parameters, dispatch.
#include "engine/ops/batchnorm.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

// Checks x (rank 4; f32, f64 on cpu, bf16 on cuda) and every per-channel tensor (f32 next to bf16).
static void check_common(const char* op, Ctx& ctx, const BatchNormParams& p, const Tensor& x,
                         std::initializer_list<std::pair<const char*, const Tensor*>> per_channel) {
  const DType t = param_dtype(check_act_dtype(op, ctx, "x", x));
  check_rank(op, "x", x, 4);
  if (!(p.eps > 0.f)) throw Error(std::string(op) + ": eps " + std::to_string(p.eps) + " must be > 0");
  const Shape c{x.dim(3)};
  for (auto& [name, tensor] : per_channel) {
    check_shape(op, name, *tensor, c);
    check_dtype(op, name, *tensor, t);
  }
}

static void check_like_x(const char* op, const char* name, const Tensor& t, const Tensor& x) {
  check_shape(op, name, t, x.shape);
  check_dtype(op, name, t, x.dtype);
}

void batchnorm_forward_train(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                             const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                             Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y) {
  const char* op = "batchnorm_forward_train";
  check_common(op, ctx, p, x,
               {{"gamma", &gamma}, {"beta", &beta}, {"running_mean", &running_mean}, {"running_var", &running_var},
                {"save_mean", &save_mean}, {"save_invstd", &save_invstd}});
  if (!(p.momentum >= 0.f && p.momentum <= 1.f))
    throw Error(std::string(op) + ": momentum " + std::to_string(p.momentum) + " is outside [0, 1]");
  if (x.dim(0) * x.dim(1) * x.dim(2) < 2)
    throw Error(std::string(op) + ": x " + x.shape.str() + " has fewer than 2 values per channel");
  check_like_x(op, "y", y, x);
  if (residual) check_like_x(op, "residual", *residual, x);
  if (ctx.is_cuda())
    return AWS_CUDA_CALL(batchnorm_forward_train_cuda,
                         (ctx, p, x, gamma, beta, residual, running_mean, running_var, save_mean, save_invstd, y));
  batchnorm_forward_train_cpu(ctx, p, x, gamma, beta, residual, running_mean, running_var, save_mean, save_invstd, y);
}

void batchnorm_forward_eval(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                            const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                            const Tensor& running_var, Tensor& y) {
  const char* op = "batchnorm_forward_eval";
  check_common(op, ctx, p, x,
               {{"gamma", &gamma}, {"beta", &beta}, {"running_mean", &running_mean}, {"running_var", &running_var}});
  check_like_x(op, "y", y, x);
  if (residual) check_like_x(op, "residual", *residual, x);
  if (ctx.is_cuda())
    return AWS_CUDA_CALL(batchnorm_forward_eval_cuda, (ctx, p, x, gamma, beta, residual, running_mean, running_var, y));
  batchnorm_forward_eval_cpu(ctx, p, x, gamma, beta, residual, running_mean, running_var, y);
}

void batchnorm_backward(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& y, const Tensor& dy,
                        const Tensor& gamma, const Tensor& save_mean, const Tensor& save_invstd, Tensor& dx,
                        Tensor& dgamma, Tensor& dbeta, Tensor* dresidual) {
  const char* op = "batchnorm_backward";
  check_common(op, ctx, p, x,
               {{"gamma", &gamma}, {"save_mean", &save_mean}, {"save_invstd", &save_invstd}, {"dgamma", &dgamma},
                {"dbeta", &dbeta}});
  check_like_x(op, "y", y, x);
  check_like_x(op, "dy", dy, x);
  check_like_x(op, "dx", dx, x);
  if (dresidual) check_like_x(op, "dresidual", *dresidual, x);
  if (ctx.is_cuda())
    return AWS_CUDA_CALL(batchnorm_backward_cuda,
                         (ctx, p, x, y, dy, gamma, save_mean, save_invstd, dx, dgamma, dbeta, dresidual));
  batchnorm_backward_cpu(ctx, p, x, y, dy, gamma, save_mean, save_invstd, dx, dgamma, dbeta, dresidual);
}

}  // namespace aws
