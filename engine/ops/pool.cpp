// Pooling facades (global average pool, max-pool): check shapes and dtypes, dispatch to the backend.
#include "engine/ops/pool.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

// Features may be bf16 (cuda); the pooled vectors are then f32, as the classifier that reads them.
void global_avgpool_forward(Ctx& ctx, const Tensor& x, Tensor& y) {
  const DType t = param_dtype(check_act_dtype("global_avgpool_forward", ctx, "x", x));
  check_rank("global_avgpool_forward", "x", x, 4);
  check_shape("global_avgpool_forward", "y", y, Shape{x.dim(0), x.dim(3)});
  check_dtype("global_avgpool_forward", "y", y, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(global_avgpool_forward_cuda, (ctx, x, y));
  global_avgpool_forward_cpu(ctx, x, y);
}

void global_avgpool_backward(Ctx& ctx, const Tensor& dy, Tensor& dx) {
  const DType t = param_dtype(check_act_dtype("global_avgpool_backward", ctx, "dx", dx));
  check_rank("global_avgpool_backward", "dx", dx, 4);
  check_shape("global_avgpool_backward", "dy", dy, Shape{dx.dim(0), dx.dim(3)});
  check_dtype("global_avgpool_backward", "dy", dy, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(global_avgpool_backward_cuda, (ctx, dy, dx));
  global_avgpool_backward_cpu(ctx, dy, dx);
}

static Shape maxpool_out_shape(const char* op, const MaxPoolParams& p, const Tensor& x) {
  if (p.kernel < 1 || p.stride < 1 || p.pad < 0 || 2 * p.pad > p.kernel)
    throw Error(std::string(op) + ": kernel " + std::to_string(p.kernel) + ", stride " + std::to_string(p.stride) +
                ", pad " + std::to_string(p.pad) + " is invalid (need kernel, stride >= 1 and 0 <= pad <= kernel/2)");
  check_rank(op, "x", x, 4);
  const int64_t P = (x.dim(1) + 2 * p.pad - p.kernel) / p.stride + 1;
  const int64_t Q = (x.dim(2) + 2 * p.pad - p.kernel) / p.stride + 1;
  if (x.dim(1) + 2 * p.pad < p.kernel || x.dim(2) + 2 * p.pad < p.kernel)
    throw Error(std::string(op) + ": input " + x.shape.str() + " is smaller than the kernel " +
                std::to_string(p.kernel));
  return Shape{x.dim(0), P, Q, x.dim(3)};
}

void maxpool_forward(Ctx& ctx, const MaxPoolParams& p, const Tensor& x, Tensor& y, Tensor& argmax) {
  const DType t = check_real_dtype("maxpool_forward", ctx, "x", x);
  const Shape out = maxpool_out_shape("maxpool_forward", p, x);
  check_shape("maxpool_forward", "y", y, out);
  check_shape("maxpool_forward", "argmax", argmax, out);
  check_dtype("maxpool_forward", "y", y, t);
  check_dtype("maxpool_forward", "argmax", argmax, DType::i32);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(maxpool_forward_cuda, (ctx, p, x, y, argmax));
  maxpool_forward_cpu(ctx, p, x, y, argmax);
}

void maxpool_backward(Ctx& ctx, const MaxPoolParams& p, const Tensor& dy, const Tensor& argmax, Tensor& dx) {
  const DType t = check_real_dtype("maxpool_backward", ctx, "dy", dy);
  const Shape out = maxpool_out_shape("maxpool_backward", p, dx);
  check_shape("maxpool_backward", "dy", dy, out);
  check_shape("maxpool_backward", "argmax", argmax, out);
  check_dtype("maxpool_backward", "argmax", argmax, DType::i32);
  check_dtype("maxpool_backward", "dx", dx, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(maxpool_backward_cuda, (ctx, p, dy, argmax, dx));
  maxpool_backward_cpu(ctx, p, dy, argmax, dx);
}

}  // namespace aws
