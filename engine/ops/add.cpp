// Residual add facade: checks shapes and dtypes, dispatches to the backend.
#include "engine/ops/add.h"

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

void add_forward(Ctx& ctx, const Tensor& a, const Tensor& b, Tensor& y) {
  const DType t = check_act_dtype("add_forward", ctx, "a", a);
  check_shape("add_forward", "b", b, a.shape);
  check_shape("add_forward", "y", y, a.shape);
  check_dtype("add_forward", "b", b, t);
  check_dtype("add_forward", "y", y, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(add_forward_cuda, (ctx, a, b, y));
  add_forward_cpu(ctx, a, b, y);
}

}  // namespace aws
