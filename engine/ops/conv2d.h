// 2-D convolution without bias (it always sits under batch-norm), NHWC activations, OHWI weights.
// x [N,H,W,C], w [K,R,S,C], y [N,P,Q,K] with P = (H + 2·pad − R)/stride + 1.
// cpu: oneDNN primitives cached per shape (conv2d_dnnl.cpp) or the direct loops (conv2d_cpu.cpp,
// also the tests' reference); cuda: cuDNN (kernels/conv2d.cu).
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/conv2d.h"

namespace aws {

inline int64_t conv2d_out_size(int64_t in, int64_t k, int stride, int pad) {
  return (in + 2 * pad - k) / stride + 1;
}

void conv2d_forward(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a);
void conv2d_backward_data(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a);
void conv2d_backward_weights(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a);

// Plain direct loops: the reference the tests use, and the fallback without oneDNN.
void conv2d_forward_direct(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a);
void conv2d_backward_data_direct(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a);
void conv2d_backward_weights_direct(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a);

}  // namespace aws
