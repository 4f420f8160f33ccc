// Fully connected layer y = x·wᵀ + b. x [N,in], w [out,in] (PyTorch's layout), b [out] or null.
// cpu: our loops; cuda: cuBLASLt with the bias in the epilogue (kernels/linear.cu).
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/linear.h"

namespace aws {

void linear_forward(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y);
// Overwrites dw, db (if non-null) and dx (if non-null).
void linear_backward(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw,
                     Tensor* db);

void linear_forward_cpu(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y);
void linear_backward_cpu(Ctx& ctx, const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw,
                         Tensor* db);

}  // namespace aws
