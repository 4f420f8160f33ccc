// ReLU facade: checks shapes and dtypes once, dispatches to relu_cpu.cpp or kernels/relu.cu.
#include "engine/ops/relu.h"

#include "core/cuda_dispatch.h"

namespace aws {

void relu_forward(Ctx& ctx, const ReluForwardArgs& a) {
  check_shape("relu_forward", "y", a.y, a.x.shape);
  check_dtype("relu_forward", "x", a.x, DType::f32);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(relu_forward_cuda, (ctx, a));
  relu_forward_cpu(ctx, a);
}

void relu_backward(Ctx& ctx, const ReluBackwardArgs& a) {
  check_shape("relu_backward", "dy", a.dy, a.y.shape);
  check_shape("relu_backward", "dx", a.dx, a.y.shape);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(relu_backward_cuda, (ctx, a));
  relu_backward_cpu(ctx, a);
}

}  // namespace aws
