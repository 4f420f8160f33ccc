// linear: the cuda launchers (kernels/linear.cu);
// the checked facade is engine/ops/linear.h, the cpu version engine/ops/linear_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

void linear_forward_cuda(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y);
void linear_backward_cuda(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw,
                          Tensor* db);

}  // namespace aws
