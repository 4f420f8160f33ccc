// dropout: the cuda launchers (kernels/dropout.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/dropout.h, the cpu version engine/ops/dropout_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace aws {

struct DropoutParams {
  float p = 0.0f;
};

void dropout_forward_cuda(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward_cuda(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);

}  // namespace aws
