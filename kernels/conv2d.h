// conv2d: the cuda launchers (kernels/conv2d.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/conv2d.h, the cpu version engine/ops/conv2d_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

struct Conv2dParams {
  int stride = 1;
  int pad = 0;
};

void conv2d_forward_cuda(Ctx& ctx, const Conv2dParams& p, const Tensor& x, const Tensor& w, Tensor& y);
void conv2d_backward_data_cuda(Ctx& ctx, const Conv2dParams& p, const Tensor& dy, const Tensor& w, Tensor& dx);
void conv2d_backward_weights_cuda(Ctx& ctx, const Conv2dParams& p, const Tensor& x, const Tensor& dy, Tensor& dw);

}  // namespace aws
