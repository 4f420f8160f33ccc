// add: the cuda launchers (kernels/add.cu);
// the checked facade is engine/ops/add.h, the cpu version engine/ops/add_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

// y = a + b, same shape (y may alias a or b).
struct AddArgs {
  const Tensor& a;
  const Tensor& b;
  Tensor& y;
};

void add_forward_cuda(Ctx& ctx, const AddArgs& args);

}  // namespace aws
