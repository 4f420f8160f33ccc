// cast facade: f32 → bf16 or bf16 → f32, same shape, same device.
#include "engine/ops/cast.h"

#include <string>

#include "core/cuda_dispatch.h"

namespace aws {

void cast(Ctx& ctx, const CastArgs& a) {
  const bool down = a.x.dtype == DType::f32 && a.y.dtype == DType::bf16;
  const bool up = a.x.dtype == DType::bf16 && a.y.dtype == DType::f32;
  if (!down && !up)
    throw Error(std::string("cast: ") + dtype_name(a.x.dtype) + " -> " + dtype_name(a.y.dtype) +
                " is not supported (f32 <-> bf16 only)");
  check_shape("cast", "y", a.y, a.x.shape);
  check_same_device("cast", a.x, a.y);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(cast_cuda, (ctx, a));
  cast_cpu(ctx, a);
}

}  // namespace aws
