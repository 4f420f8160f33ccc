// cast: the cuda launchers (kernels/cast.cu);
// the checked facade is engine/ops/cast.h, the cpu version engine/ops/cast_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

// y = x converted to y's dtype, same shape.
struct CastArgs {
  const Tensor& x;
  Tensor& y;
};

void cast_cuda(Ctx& ctx, const CastArgs& a);

}  // namespace aws
