// Pooling facades (global average pool, max-pool): check shapes and dtypes, dispatch to the backend.
#include "engine/ops/pool.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

// Features may be bf16 (cuda); the pooled vectors are then f32, as the classifier that reads them.
void global_avgpool_forward(Ctx& ctx, const GlobalAvgPoolForwardArgs& a) {
  const DType t = param_dtype(check_act_dtype("global_avgpool_forward", ctx, "x", a.x));
  check_rank("global_avgpool_forward", "x", a.x, 4);
  check_shape("global_avgpool_forward", "y", a.y, Shape{a.x.dim(0), a.x.dim(3)});
  check_dtype("global_avgpool_forward", "y", a.y, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(global_avgpool_forward_cuda, (ctx, a));
  global_avgpool_forward_cpu(ctx, a);
}

void global_avgpool_backward(Ctx& ctx, const GlobalAvgPoolBackwardArgs& a) {
  const DType t = param_dtype(check_act_dtype("global_avgpool_backward", ctx, "dx", a.dx));
  check_rank("global_avgpool_backward", "dx", a.dx, 4);
  check_shape("global_avgpool_backward", "dy", a.dy, Shape{a.dx.dim(0), a.dx.dim(3)});
  check_dtype("global_avgpool_backward", "dy", a.dy, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(global_avgpool_backward_cuda, (ctx, a));
  global_avgpool_backward_cpu(ctx, a);
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

void maxpool_forward(Ctx& ctx, const MaxPoolParams& p, const MaxPoolForwardArgs& a) {
  const DType t = check_real_dtype("maxpool_forward", ctx, "x", a.x);
  const Shape out = maxpool_out_shape("maxpool_forward", p, a.x);
  check_shape("maxpool_forward", "y", a.y, out);
  check_shape("maxpool_forward", "argmax", a.argmax, out);
  check_dtype("maxpool_forward", "y", a.y, t);
  check_dtype("maxpool_forward", "argmax", a.argmax, DType::i32);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(maxpool_forward_cuda, (ctx, p, a));
  maxpool_forward_cpu(ctx, p, a);
}

void maxpool_backward(Ctx& ctx, const MaxPoolParams& p, const MaxPoolBackwardArgs& a) {
  const DType t = check_real_dtype("maxpool_backward", ctx, "dy", a.dy);
  const Shape out = maxpool_out_shape("maxpool_backward", p, a.dx);
  check_shape("maxpool_backward", "dy", a.dy, out);
  check_shape("maxpool_backward", "argmax", a.argmax, out);
  check_dtype("maxpool_backward", "argmax", a.argmax, DType::i32);
  check_dtype("maxpool_backward", "dx", a.dx, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(maxpool_backward_cuda, (ctx, p, a));
  maxpool_backward_cpu(ctx, p, a);
}

}  // namespace aws
