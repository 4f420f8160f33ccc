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

// The tensors of each op, named at the call site ({.x = …, .y = …}).
// x [N,H,W,C], y [N,C]; backward: dy [N,C], dx [N,H,W,C] (overwritten).
struct GlobalAvgPoolForwardArgs {
  const Tensor& x;
  Tensor& y;
};
struct GlobalAvgPoolBackwardArgs {
  const Tensor& dy;
  Tensor& dx;
};

// x [N,H,W,C], y and argmax (i32) [N,P,Q,C]; backward: dy and argmax [N,P,Q,C], dx [N,H,W,C].
struct MaxPoolForwardArgs {
  const Tensor& x;
  Tensor& y;
  Tensor& argmax;
};
struct MaxPoolBackwardArgs {
  const Tensor& dy;
  const Tensor& argmax;
  Tensor& dx;
};

void global_avgpool_forward_cuda(Ctx& ctx, const GlobalAvgPoolForwardArgs& a);
void global_avgpool_backward_cuda(Ctx& ctx, const GlobalAvgPoolBackwardArgs& a);
void maxpool_forward_cuda(Ctx& ctx, const MaxPoolParams& p, const MaxPoolForwardArgs& a);
void maxpool_backward_cuda(Ctx& ctx, const MaxPoolParams& p, const MaxPoolBackwardArgs& a);

}  // namespace aws
