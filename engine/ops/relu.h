// ReLU, forward and backward (the backward reads the forward output, so the input need not be kept).
// Facade: checks shapes once and dispatches to the backend (relu_cpu.cpp, kernels/relu.cu).
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/relu.h"

namespace aws {

void relu_forward(Ctx& ctx, const ReluForwardArgs& a);
void relu_backward(Ctx& ctx, const ReluBackwardArgs& a);

void relu_forward_cpu(Ctx& ctx, const ReluForwardArgs& a);
void relu_backward_cpu(Ctx& ctx, const ReluBackwardArgs& a);

}  // namespace aws
