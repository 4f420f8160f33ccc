// Pooling on the cpu (f32 or f64), NHWC, threads over images (and output rows for max-pool).
#include <cstring>

#include "engine/ops/pool.h"
#include "kernels/pool_ops.h"

namespace aws {

template <class T>
static void gap_fwd(const Tensor& x, Tensor& y) {
  const int64_t N = x.dim(0), HW = x.dim(1) * x.dim(2), C = x.dim(3);
  const T* px = x.as<T>();
  T* py = y.as<T>();
  const double inv = 1.0 / double(HW);
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    T* yr = py + n * C;
    for (int64_t c = 0; c < C; ++c) yr[c] = T(0);
    // Accumulate in T along contiguous channels; divide once. Rows are short (HW <= a few thousand).
    const T* xn = px + n * HW * C;
    for (int64_t i = 0; i < HW; ++i)
      for (int64_t c = 0; c < C; ++c) yr[c] += xn[i * C + c];
    for (int64_t c = 0; c < C; ++c) yr[c] = T(double(yr[c]) * inv);
  }
}

template <class T>
static void gap_bwd(const Tensor& dy, Tensor& dx) {
  const int64_t N = dx.dim(0), HW = dx.dim(1) * dx.dim(2), C = dx.dim(3);
  const T* pg = dy.as<T>();
  T* pd = dx.as<T>();
  const T inv = T(1) / T(HW);
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < HW; ++i)
      for (int64_t c = 0; c < C; ++c) pd[(n * HW + i) * C + c] = pg[n * C + c] * inv;
}

template <class T>
static void maxpool_fwd(const MaxPoolParams& p, const Tensor& x, Tensor& y, Tensor& argmax) {
  const int64_t N = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3), P = y.dim(1), Q = y.dim(2);
  const T* px = x.as<T>();
  T* py = y.as<T>();
  int32_t* pa = argmax.i32();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < P; ++oh)
      for (int64_t ow = 0; ow < Q; ++ow) {
        const int64_t o = ((n * P + oh) * Q + ow) * C;
        for (int64_t c = 0; c < C; ++c)
          py[o + c] = maxpool_window(px + n * H * W * C, H, W, C, c, oh * p.stride - p.pad, ow * p.stride - p.pad,
                                     p.kernel, pa + o + c);
      }
}

template <class T>
static void maxpool_bwd(const Tensor& dy, const Tensor& argmax, Tensor& dx) {
  const int64_t N = dx.dim(0), HW = dx.dim(1) * dx.dim(2), C = dx.dim(3), PQ = dy.dim(1) * dy.dim(2);
  const T* pg = dy.as<T>();
  const int32_t* pa = argmax.i32();
  T* pd = dx.as<T>();
  // Each image's plane is written by one thread only, so overlapping windows need no atomics.
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    T* d = pd + n * HW * C;
    std::memset(static_cast<void*>(d), 0, size_t(HW * C) * sizeof(T));
    for (int64_t i = 0; i < PQ; ++i)
      for (int64_t c = 0; c < C; ++c) {
        const int64_t o = (n * PQ + i) * C + c;
        if (pa[o] >= 0) d[int64_t(pa[o]) * C + c] += pg[o];
      }
  }
}

void global_avgpool_forward_cpu(Ctx&, const GlobalAvgPoolForwardArgs& a) {
  if (a.x.dtype == DType::f64) return gap_fwd<double>(a.x, a.y);
  gap_fwd<float>(a.x, a.y);
}
void global_avgpool_backward_cpu(Ctx&, const GlobalAvgPoolBackwardArgs& a) {
  if (a.dy.dtype == DType::f64) return gap_bwd<double>(a.dy, a.dx);
  gap_bwd<float>(a.dy, a.dx);
}
void maxpool_forward_cpu(Ctx&, const MaxPoolParams& p, const MaxPoolForwardArgs& a) {
  if (a.x.dtype == DType::f64) return maxpool_fwd<double>(p, a.x, a.y, a.argmax);
  maxpool_fwd<float>(p, a.x, a.y, a.argmax);
}
void maxpool_backward_cpu(Ctx&, const MaxPoolParams&, const MaxPoolBackwardArgs& a) {
  if (a.dy.dtype == DType::f64) return maxpool_bwd<double>(a.dy, a.argmax, a.dx);
  maxpool_bwd<float>(a.dy, a.argmax, a.dx);
}

}  // namespace aws
