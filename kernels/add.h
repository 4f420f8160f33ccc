// add: the cuda launchers (kernels/add.cu);
// the checked facade is engine/ops/add.h, the cpu version engine/ops/add_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

void add_forward_cuda(Ctx& ctx, const Tensor& a, const Tensor& b, Tensor& y);

}  // namespace aws
