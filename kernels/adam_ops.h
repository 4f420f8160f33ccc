// Per-element body of the Adam update and its per-step coefficients, shared by
// engine/optim/adam_cpu.cpp and kernels/adam.cu.
#pragma once
#include <cmath>

#include "kernels/optimizer_ops.h"

namespace aws {

// Scalars of one Adam step; bias corrections are computed in double as torch does in Python.
struct AdamCoeffs {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  float one_minus_beta1 = 0.1f, one_minus_beta2 = 0.001f;
  float weight_decay = 0.f;  // 0 for tensors excluded from decay
  float neg_step_size = 0.f;  // −lr / (1 − β1^t)
  float bc2_sqrt = 1.f;       // sqrt(1 − β2^t)
};

// Bias corrections for step t (t = 1 on the first step), computed in double.
AWS_HD AdamCoeffs adam_coeffs(double lr, double beta1, double beta2, double eps, double weight_decay,
                              double t) {
  AdamCoeffs c;
  c.beta1 = float(beta1);
  c.beta2 = float(beta2);
  c.eps = float(eps);
  c.one_minus_beta1 = float(1.0 - beta1);
  c.one_minus_beta2 = float(1.0 - beta2);
  c.weight_decay = float(weight_decay);
  double bc1 = 1.0 - pow(beta1, t), bc2 = 1.0 - pow(beta2, t);
  c.neg_step_size = float(-(lr / bc1));
  c.bc2_sqrt = float(sqrt(bc2));
  return c;
}

// torch.optim.Adam (no amsgrad): g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g·g;
// p = p − step_size · m / (sqrt(v)/sqrt(bc2) + eps).
AWS_HD void adam_update(float& p, float& m, float& v, float g, float scale, const AdamCoeffs& c) {
  float d = g * scale;
  if (c.weight_decay != 0.f) d = d + c.weight_decay * p;
  m = m * c.beta1 + c.one_minus_beta1 * d;
  v = v * c.beta2 + c.one_minus_beta2 * d * d;
  float denom = sqrtf(v) / c.bc2_sqrt + c.eps;
  p = p + c.neg_step_size * m / denom;
}

}  // namespace aws
