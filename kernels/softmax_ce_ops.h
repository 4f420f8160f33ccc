// Row body of softmax cross-entropy with label smoothing, shared by the cpu loop and the cuda kernel
// (one row per thread or warp). Smoothed target t = (1 − ε)·onehot(label) + ε/K, as PyTorch's
// cross_entropy(label_smoothing=ε).
#pragma once
#include <cmath>
#include <cstdint>

#include "core/hd.h"

namespace aws {

// Index of the first maximum of a row (PyTorch's argmax picks the first one too).
template <class T>
AWS_HD int32_t row_argmax(const T* z, int64_t K) {
  int32_t best = 0;
  for (int64_t k = 1; k < K; ++k)
    if (z[k] > z[best]) best = int32_t(k);
  return best;
}

// Loss of one row, −Σ_k t_k·log softmax(z)_k, computed in double; writes dz_k = (softmax_k − t_k)·scale
// (scale = 1/N for the batch mean). dz may be null (loss only).
template <class T>
AWS_HD double softmax_ce_row(const T* z, int64_t K, int32_t label, double smoothing, double scale, T* dz) {
  using std::exp;
  using std::log;
  double m = double(z[0]);
  for (int64_t k = 1; k < K; ++k) m = double(z[k]) > m ? double(z[k]) : m;
  double s = 0;
  for (int64_t k = 0; k < K; ++k) s += exp(double(z[k]) - m);
  const double log_s = log(s), off = smoothing / double(K), on = 1.0 - smoothing + off;
  double loss = 0;
  for (int64_t k = 0; k < K; ++k) {
    const double logp = double(z[k]) - m - log_s;
    const double t = k == label ? on : off;
    loss -= t * logp;
    if (dz) dz[k] = T((exp(logp) - t) * scale);
  }
  return loss;
}

}  // namespace aws
