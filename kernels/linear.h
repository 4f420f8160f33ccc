// linear: the cuda launchers (kernels/linear.cu);
// the checked facade is engine/ops/linear.h, the cpu version engine/ops/linear_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

// The tensors of each op, named at the call site ({.x = …, .w = …}); optional ones are pointers.
// x [N,in], w [out,in] (PyTorch's layout), b [out], y [N,out].
struct LinearForwardArgs {
  const Tensor& x;
  const Tensor& w;
  Tensor& y;
  const Tensor* b = nullptr;
};

// Overwrites dw, and db and dx where given.
struct LinearBackwardArgs {
  const Tensor& x;
  const Tensor& w;
  const Tensor& dy;
  Tensor& dw;
  Tensor* dx = nullptr;
  Tensor* db = nullptr;
};

void linear_forward_cuda(Ctx& ctx, const LinearForwardArgs& a);
void linear_backward_cuda(Ctx& ctx, const LinearBackwardArgs& a);

}  // namespace aws
