// Dropout facade: checks shapes, dtypes and p, dispatches to the backend.
#include "engine/ops/dropout.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

static void check_p(const char* op, const DropoutParams& p) {
  if (!(p.p >= 0.f && p.p <= 1.f)) throw Error(std::string(op) + ": p = " + std::to_string(p.p) + " is outside [0, 1]");
}

void dropout_forward(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask) {
  check_p("dropout_forward", p);
  const DType t = check_real_dtype("dropout_forward", ctx, "x", x);
  check_shape("dropout_forward", "y", y, x.shape);
  check_shape("dropout_forward", "mask", mask, x.shape);
  check_dtype("dropout_forward", "y", y, t);
  check_dtype("dropout_forward", "mask", mask, DType::u8);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(dropout_forward_cuda, (ctx, p, key, x, y, mask));
  dropout_forward_cpu(ctx, p, key, x, y, mask);
}

void dropout_backward(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx) {
  check_p("dropout_backward", p);
  const DType t = check_real_dtype("dropout_backward", ctx, "dy", dy);
  check_shape("dropout_backward", "mask", mask, dy.shape);
  check_shape("dropout_backward", "dx", dx, dy.shape);
  check_dtype("dropout_backward", "mask", mask, DType::u8);
  check_dtype("dropout_backward", "dx", dx, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(dropout_backward_cuda, (ctx, p, dy, mask, dx));
  dropout_backward_cpu(ctx, p, dy, mask, dx);
}

}  // namespace aws
