// Dropout facade: checks shapes, dtypes and p, dispatches to the backend.
#include "engine/ops/dropout.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

static void check_p(const char* op, const DropoutParams& p) {
  if (!(p.p >= 0.f && p.p <= 1.f)) throw Error(std::string(op) + ": p = " + std::to_string(p.p) + " is outside [0, 1]");
}

void dropout_forward(Ctx& ctx, const DropoutParams& p, const DropoutForwardArgs& a) {
  const char* op = "dropout_forward";
  check_p(op, p);
  const DType t = check_real_dtype(op, ctx, "x", a.x);
  check_shape(op, "key", a.key, Shape{2});
  check_dtype(op, "key", a.key, DType::i32);
  check_same_device(op, a.x, a.key);
  check_shape(op, "y", a.y, a.x.shape);
  check_shape(op, "mask", a.mask, a.x.shape);
  check_dtype(op, "y", a.y, t);
  check_dtype(op, "mask", a.mask, DType::u8);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(dropout_forward_cuda, (ctx, p, a));
  dropout_forward_cpu(ctx, p, a);
}

void dropout_backward(Ctx& ctx, const DropoutParams& p, const DropoutBackwardArgs& a) {
  const char* op = "dropout_backward";
  check_p(op, p);
  const DType t = check_real_dtype(op, ctx, "dy", a.dy);
  check_shape(op, "mask", a.mask, a.dy.shape);
  check_shape(op, "dx", a.dx, a.dy.shape);
  check_dtype(op, "mask", a.mask, DType::u8);
  check_dtype(op, "dx", a.dx, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(dropout_backward_cuda, (ctx, p, a));
  dropout_backward_cpu(ctx, p, a);
}

}  // namespace aws
