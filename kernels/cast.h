// cast: the cuda launchers (kernels/cast.cu);
// the checked facade is engine/ops/cast.h, the cpu version engine/ops/cast_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

void cast_cuda(Ctx& ctx, const Tensor& x, Tensor& y);

}  // namespace aws
