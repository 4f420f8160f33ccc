// Per-element bodies of the fused batch-norm (+ residual + ReLU), shared by the cpu loops and the
// cuda kernels. Templated on the scalar type: the cpu backend also runs them in double for the
// finite-difference gradient checker. Per-channel reductions are done by the caller.
#pragma once
#include <cmath>

#include "core/hd.h"

namespace aws {

// Statistics from per-channel sums over M = N·H·W elements: mean and biased variance (clamped at 0,
// E[x²] − mean² can round below zero), from which the normalization's inverse standard deviation.
template <class A>
AWS_HD void bn_stats_from_sums(A sum, A sumsq, A m, A& mean, A& var_biased) {
  mean = sum / m;
  A v = sumsq / m - mean * mean;
  var_biased = v > A(0) ? v : A(0);
}

template <class T>
AWS_HD T bn_invstd(T var, T eps) {
  using std::sqrt;
  return T(1) / sqrt(var + eps);
}

// PyTorch's running-statistics convention: running ← (1 − momentum)·running + momentum·batch, with the
// unbiased variance var·M/(M − 1) for running_var.
template <class T>
AWS_HD T bn_running_update(T running, T batch, T momentum) {
  return (T(1) - momentum) * running + momentum * batch;
}

// y = act(gamma·(x − mean)·invstd + beta + residual); pass residual = 0 when there is none.
template <class T>
AWS_HD T bn_apply(T x, T mean, T invstd, T gamma, T beta, T residual, bool relu) {
  T v = gamma * ((x - mean) * invstd) + beta + residual;
  return (relu && !(v > T(0))) ? T(0) : v;
}

// Gradient reaching the pre-activation sum (BN output + residual): masked by the ReLU through y.
template <class T>
AWS_HD T bn_grad_pre(T y, T dy, bool relu) {
  return (relu && !(y > T(0))) ? T(0) : dy;
}

template <class T>
AWS_HD T bn_xhat(T x, T mean, T invstd) {
  return (x - mean) * invstd;
}

// dx from the masked gradient g, xhat and the two per-channel reductions sum(g) and sum(g·xhat):
//   dx = gamma·invstd·(g − sum_g/M − xhat·sum_gxhat/M)      (training: batch statistics)
template <class T>
AWS_HD T bn_backward_dx(T g, T xhat, T gamma_invstd, T mean_g, T mean_gxhat) {
  return gamma_invstd * (g - mean_g - xhat * mean_gxhat);
}

}  // namespace aws
