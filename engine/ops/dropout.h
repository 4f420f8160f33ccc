// Inverted dropout: y = x·mask/(1 − p), mask drawn from the counter-based generator keyed by the step's
// key (a device tensor), the layer index and the element index, so it is the same on both backends
// and a CUDA graph replays it with each step's key.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/dropout.h"

namespace aws {

// mask [like x] u8 (1 = kept) is written for the backward.
void dropout_forward(Ctx& ctx, const DropoutParams& p, const DropoutForwardArgs& a);
void dropout_backward(Ctx& ctx, const DropoutParams& p, const DropoutBackwardArgs& a);

void dropout_forward_cpu(Ctx& ctx, const DropoutParams& p, const DropoutForwardArgs& a);
void dropout_backward_cpu(Ctx& ctx, const DropoutParams& p, const DropoutBackwardArgs& a);

}  // namespace aws
