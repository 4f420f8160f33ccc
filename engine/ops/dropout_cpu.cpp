// Inverted dropout on the cpu (f32 or f64): mask from the counter-based generator (key, element index).
#include "engine/ops/dropout.h"
#include "kernels/dropout_ops.h"

namespace aws {

template <class T>
static void dropout_fwd_cpu(const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask) {
  const T* px = x.as<T>();
  T* py = y.as<T>();
  uint8_t* pm = mask.u8();
  const T scale = dropout_scale<T>(p.p);
  const int64_t n = x.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = dropout_keep(key, i, p.p);
    pm[i] = keep ? 1 : 0;
    py[i] = keep ? px[i] * scale : T(0);
  }
}

template <class T>
static void dropout_bwd_cpu(const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx) {
  const T* pg = dy.as<T>();
  const uint8_t* pm = mask.u8();
  T* pd = dx.as<T>();
  const T scale = dropout_scale<T>(p.p);
  const int64_t n = dy.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) pd[i] = pm[i] ? pg[i] * scale : T(0);
}

void dropout_forward_cpu(Ctx&, const DropoutParams& p, uint64_t key, const Tensor& x, Tensor& y, Tensor& mask) {
  if (x.dtype == DType::f64) return dropout_fwd_cpu<double>(p, key, x, y, mask);
  dropout_fwd_cpu<float>(p, key, x, y, mask);
}

void dropout_backward_cpu(Ctx&, const DropoutParams& p, const Tensor& dy, const Tensor& mask, Tensor& dx) {
  if (dy.dtype == DType::f64) return dropout_bwd_cpu<double>(p, dy, mask, dx);
  dropout_bwd_cpu<float>(p, dy, mask, dx);
}

}  // namespace aws
