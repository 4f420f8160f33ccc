// dropout: the cuda launchers (kernels/dropout.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/dropout.h, the cpu version engine/ops/dropout_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace aws {

// p: the drop probability. layer: this dropout's index within the network, so two layers fed the same
// step key draw independent masks.
struct DropoutParams {
  float p = 0.0f;
  uint32_t layer = 0;
};

// key: the step's random key, i32[2] (low word, high word) on the op's device — the staged step inputs'
// key (train/step_inputs.h), read by the kernel, so a captured CUDA graph replays with each step's key.
// x, y, mask (u8: 1 = kept) have one shape.
struct DropoutForwardArgs {
  const Tensor& key;
  const Tensor& x;
  Tensor& y;
  Tensor& mask;
};
// dx (overwritten) = dy · mask / (1 − p).
struct DropoutBackwardArgs {
  const Tensor& dy;
  const Tensor& mask;
  Tensor& dx;
};

void dropout_forward_cuda(Ctx& ctx, const DropoutParams& p, const DropoutForwardArgs& a);
void dropout_backward_cuda(Ctx& ctx, const DropoutParams& p, const DropoutBackwardArgs& a);

}  // namespace aws
