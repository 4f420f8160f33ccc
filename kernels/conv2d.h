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

// The tensors of each op, named at the call site ({.x = …, .w = …, .y = …}).
// x [N,H,W,C], w [K,R,S,C], y [N,P,Q,K]; the gradients have the shapes of what they differentiate.
struct Conv2dForwardArgs {
  const Tensor& x;
  const Tensor& w;
  Tensor& y;
};
// dx = the gradient wrt x (overwritten).
struct Conv2dBackwardDataArgs {
  const Tensor& dy;
  const Tensor& w;
  Tensor& dx;
};
// dw = the gradient wrt w (overwritten).
struct Conv2dBackwardWeightsArgs {
  const Tensor& x;
  const Tensor& dy;
  Tensor& dw;
};

void conv2d_forward_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a);
void conv2d_backward_data_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a);
void conv2d_backward_weights_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a);

}  // namespace aws
