// Inverted dropout: y = x·mask/(1 − p), mask drawn from the counter-based generator keyed by `key`
// and the element index, so it is the same on both backends and replays exactly.
#pragma once
#include "engine/core/context.h"
#include "engine/core/rng.h"
#include "engine/core/tensor.h"

namespace aws {

struct DropoutParams {
  float p = 0.0f;
};

// mask [like x] u8 (1 = kept) is written for the backward.
void dropout_forward(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);

void dropout_forward_cpu(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward_cpu(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);
void dropout_forward_cuda(Ctx& ctx, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask);
void dropout_backward_cuda(Ctx& ctx, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx);

}  // namespace aws
