// Fully connected layer y = x·wᵀ + b. x [N,in], w [out,in] (PyTorch's layout), b [out] or null.
// cpu: our loops; cuda: cuBLASLt with the bias in the epilogue (kernels/linear.cu).
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/linear.h"

namespace aws {

void linear_forward(Ctx& ctx, const LinearForwardArgs& a);
// Overwrites dw, db (if non-null) and dx (if non-null).
void linear_backward(Ctx& ctx, const LinearBackwardArgs& a);

void linear_forward_cpu(Ctx& ctx, const LinearForwardArgs& a);
void linear_backward_cpu(Ctx& ctx, const LinearBackwardArgs& a);

}  // namespace aws
