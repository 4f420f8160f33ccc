// The gradient-norm clipping factor, shared by engine/optim/clip_cpu.cpp and kernels/clip.cu
// (torch.nn.utils.clip_grad_norm_).
#pragma once
#include "core/hd.h"

namespace aws {

// clip_grad_norm_: scale = min(1, max_norm / (norm + 1e-6)), computed from the total 2-norm.
// The norm is accumulated in double and rounded to float, then the rest is float as in torch.
AWS_HD float clip_scale(double norm, float max_norm) {
  float coef = max_norm / (float(norm) + 1e-6f);
  return coef < 1.f ? coef : 1.f;
}

}  // namespace aws
