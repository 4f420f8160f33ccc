// Inverted dropout on the cpu (f32 or f64): mask from the counter-based generator (step key, layer,
// element index).
#include "engine/ops/dropout.h"
#include "kernels/dropout_ops.h"

namespace aws {

template <class T>
static void dropout_fwd_cpu(const DropoutParams& p, const DropoutForwardArgs& a) {
  const T* px = a.x.as<T>();
  T* py = a.y.as<T>();
  uint8_t* pm = a.mask.u8();
  const uint64_t key = dropout_key(a.key.i32());
  const T scale = dropout_scale<T>(p.p);
  const int64_t n = a.x.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = dropout_keep(key, p.layer, i, p.p);
    pm[i] = keep ? 1 : 0;
    py[i] = keep ? px[i] * scale : T(0);
  }
}

template <class T>
static void dropout_bwd_cpu(const DropoutParams& p, const DropoutBackwardArgs& a) {
  const T* pg = a.dy.as<T>();
  const uint8_t* pm = a.mask.u8();
  T* pd = a.dx.as<T>();
  const T scale = dropout_scale<T>(p.p);
  const int64_t n = a.dy.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) pd[i] = pm[i] ? pg[i] * scale : T(0);
}

void dropout_forward_cpu(Ctx&, const DropoutParams& p, const DropoutForwardArgs& a) {
  if (a.x.dtype == DType::f64) return dropout_fwd_cpu<double>(p, a);
  dropout_fwd_cpu<float>(p, a);
}

void dropout_backward_cpu(Ctx&, const DropoutParams& p, const DropoutBackwardArgs& a) {
  if (a.dy.dtype == DType::f64) return dropout_bwd_cpu<double>(p, a);
  dropout_bwd_cpu<float>(p, a);
}

}  // namespace aws
