// Per-element body of the SGD update, shared by engine/optim/sgd_cpu.cpp and kernels/sgd.cu.
#pragma once
#include "kernels/optimizer_ops.h"

namespace aws {

// Scalars of one SGD step (the same for every element of a parameter tensor).
struct SgdCoeffs {
  float lr = 0.f;
  float momentum = 0.f;
  float weight_decay = 0.f;  // 0 for tensors excluded from decay
  bool nesterov = false;
};

// torch.optim.SGD with dampening 0: d = g + wd·p; buf = momentum·buf + d (a zero buffer makes the
// first step buf = d exactly); nesterov: d = d + momentum·buf, else d = buf; p = p − lr·d.
// `scale` is the clipping factor (1 without clipping), applied to g first as clip_grad_norm_ does.
AWS_HD void sgd_update(float& p, float& buf, float g, float scale, const SgdCoeffs& c) {
  float d = g * scale;
  if (c.weight_decay != 0.f) d = d + c.weight_decay * p;
  if (c.momentum != 0.f) {
    buf = c.momentum * buf + d;
    d = c.nesterov ? d + c.momentum * buf : buf;
  }
  p = p + (-c.lr) * d;
}

}  // namespace aws
