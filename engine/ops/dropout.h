// Inverted dropout: y = x·mask/(1 − p), mask drawn from the counter-based generator keyed by `key`
// and the element index, so it is the same on both backends and replays exactly.
#pragma once
#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "kernels/dropout.h"

namespace aws {

// mask [like x] u8 (1 = kept) is written for the backward.
void dropout_forward(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);

void dropout_forward_cpu(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward_cpu(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);

}  // namespace aws
