// Elementwise sum y = a + b (y may alias a or b); used for residual gradients that meet at a block
// input. Its backward is the identity on both inputs, so there is none to call.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/add.h"

namespace aws {

void add_forward(Ctx& ctx, const AddArgs& args);

void add_forward_cpu(Ctx& ctx, const AddArgs& args);

}  // namespace aws
