// relu: the cuda launchers (kernels/relu.cu);
// the checked facade is engine/ops/relu.h, the cpu version engine/ops/relu_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

void relu_forward_cuda(Ctx& ctx, const Tensor& x, Tensor& y);
void relu_backward_cuda(Ctx& ctx, const Tensor& y, const Tensor& dy, Tensor& dx);

}  // namespace aws
