#include "engine/ops/relu.h"

#include "core/cuda_dispatch.h"

namespace aws {

void relu_forward(Ctx& ctx, const Tensor& x, Tensor& y) {
  check_shape("relu_forward", "y", y, x.shape);
  check_dtype("relu_forward", "x", x, DType::f32);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(relu_forward_cuda, (ctx, x, y));
  relu_forward_cpu(ctx, x, y);
}

void relu_backward(Ctx& ctx, const Tensor& y, const Tensor& dy, Tensor& dx) {
  check_shape("relu_backward", "dy", dy, y.shape);
  check_shape("relu_backward", "dx", dx, y.shape);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(relu_backward_cuda, (ctx, y, dy, dx));
  relu_backward_cpu(ctx, y, dy, dx);
}

}  // namespace aws
