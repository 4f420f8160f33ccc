// pool: the cuda launchers (kernels/pool.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/pool.h, the cpu version engine/ops/pool_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

struct MaxPoolParams {
  int kernel = 3;
  int stride = 2;
  int pad = 1;
};

void global_avgpool_forward_cuda(Ctx& ctx, const Tensor& x, Tensor& y);
void global_avgpool_backward_cuda(Ctx& ctx, const Tensor& dy, Tensor& dx);
void maxpool_forward_cuda(Ctx& ctx, const MaxPoolParams& p, const Tensor& x, Tensor& y, Tensor& argmax);
void maxpool_backward_cuda(Ctx& ctx, const MaxPoolParams& p, const Tensor& dy, const Tensor& argmax, Tensor& dx);

}  // namespace aws
