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

void batchnorm_forward_train(Ctx& ctx, const BatchNormParams& p, const BatchNormTrainArgs& a) {
  const char* op = "batchnorm_forward_train";
  const Tensor& x = a.x;
  check_common(op, ctx, p, x,
               {{"gamma", &a.gamma}, {"beta", &a.beta}, {"running_mean", &a.running_mean},
                {"running_var", &a.running_var}, {"save_mean", &a.save_mean}, {"save_invstd", &a.save_invstd}});
  if (!(p.momentum >= 0.f && p.momentum <= 1.f))
    throw Error(std::string(op) + ": momentum " + std::to_string(p.momentum) + " is outside [0, 1]");
  if (x.dim(0) * x.dim(1) * x.dim(2) < 2)
    throw Error(std::string(op) + ": x " + x.shape.str() + " has fewer than 2 values per channel");
  check_like_x(op, "y", a.y, x);
  if (a.residual) check_like_x(op, "residual", *a.residual, x);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(batchnorm_forward_train_cuda, (ctx, p, a));
  batchnorm_forward_train_cpu(ctx, p, a);
}

void batchnorm_forward_eval(Ctx& ctx, const BatchNormParams& p, const BatchNormEvalArgs& a) {
  const char* op = "batchnorm_forward_eval";
  check_common(op, ctx, p, a.x,
               {{"gamma", &a.gamma}, {"beta", &a.beta}, {"running_mean", &a.running_mean},
                {"running_var", &a.running_var}});
  check_like_x(op, "y", a.y, a.x);
  if (a.residual) check_like_x(op, "residual", *a.residual, a.x);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(batchnorm_forward_eval_cuda, (ctx, p, a));
  batchnorm_forward_eval_cpu(ctx, p, a);
}

void batchnorm_backward(Ctx& ctx, const BatchNormParams& p, const BatchNormBackwardArgs& a) {
  const char* op = "batchnorm_backward";
  check_common(op, ctx, p, a.x,
               {{"gamma", &a.gamma}, {"save_mean", &a.save_mean}, {"save_invstd", &a.save_invstd},
                {"dgamma", &a.dgamma}, {"dbeta", &a.dbeta}});
  check_like_x(op, "y", a.y, a.x);
  check_like_x(op, "dy", a.dy, a.x);
  check_like_x(op, "dx", a.dx, a.x);
  if (a.dresidual) check_like_x(op, "dresidual", *a.dresidual, a.x);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(batchnorm_backward_cuda, (ctx, p, a));
  batchnorm_backward_cpu(ctx, p, a);
}

}  // namespace aws
