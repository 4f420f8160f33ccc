// relu: the cuda launchers (kernels/relu.cu);
// the checked facade is engine/ops/relu.h, the cpu version engine/ops/relu_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

// The tensors of each op, named at the call site ({.x = …, .y = …}); all of one shape.
struct ReluForwardArgs {
  const Tensor& x;
  Tensor& y;
};

// y is the forward output; dx is overwritten.
struct ReluBackwardArgs {
  const Tensor& y;
  const Tensor& dy;
  Tensor& dx;
};

void relu_forward_cuda(Ctx& ctx, const ReluForwardArgs& a);
void relu_backward_cuda(Ctx& ctx, const ReluBackwardArgs& a);

}  // namespace aws
