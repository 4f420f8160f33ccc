// cast facade: f32 → bf16 or bf16 → f32, same shape, same device.
#include "engine/ops/cast.h"

#include <string>

#include "core/cuda_dispatch.h"

namespace aws {

void cast(Ctx& ctx, const Tensor& x, Tensor& y) {
  const bool down = x.dtype == DType::f32 && y.dtype == DType::bf16;
  const bool up = x.dtype == DType::bf16 && y.dtype == DType::f32;
  if (!down && !up)
    throw Error(std::string("cast: ") + dtype_name(x.dtype) + " -> " + dtype_name(y.dtype) +
                " is not supported (f32 <-> bf16 only)");
  check_shape("cast", "y", y, x.shape);
  check_same_device("cast", x, y);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(cast_cuda, (ctx, x, y));
  cast_cpu(ctx, x, y);
}

}  // namespace aws
