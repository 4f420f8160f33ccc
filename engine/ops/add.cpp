// Residual add facade: checks shapes and dtypes, dispatches to the backend.
#include "engine/ops/add.h"

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

void add_forward(Ctx& ctx, const AddArgs& args) {
  const DType t = check_act_dtype("add_forward", ctx, "a", args.a);
  check_shape("add_forward", "b", args.b, args.a.shape);
  check_shape("add_forward", "y", args.y, args.a.shape);
  check_dtype("add_forward", "b", args.b, t);
  check_dtype("add_forward", "y", args.y, t);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(add_forward_cuda, (ctx, args));
  add_forward_cpu(ctx, args);
}

}  // namespace aws
