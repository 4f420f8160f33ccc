// linear on the cpu: plain loops over contiguous rows (the sizes are tiny, e.g. 128×64×10), OpenMP
// over the independent outputs, sums accumulated in double. f32 and f64 (gradient checks).
#include "engine/ops/linear.h"

namespace aws {

namespace {

// y[n,o] = b[o] + Σ_i x[n,i] · w[o,i]
template <class T>
void forward(int64_t N, int64_t I, int64_t O, const T* x, const T* w, const T* b, T* y) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      const T* xr = x + n * I;
      const T* wr = w + o * I;
      double acc = b ? double(b[o]) : 0.0;
      for (int64_t i = 0; i < I; ++i) acc += double(xr[i]) * double(wr[i]);
      y[n * O + o] = T(acc);
    }
}

// dx[n,i] = Σ_o dy[n,o] · w[o,i];  dw[o,i] = Σ_n dy[n,o] · x[n,i];  db[o] = Σ_n dy[n,o]
template <class T>
void backward(int64_t N, int64_t I, int64_t O, const T* x, const T* w, const T* dy, T* dx, T* dw, T* db) {
  if (dx) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      const T* g = dy + n * O;
      for (int64_t i = 0; i < I; ++i) {
        double acc = 0;
        for (int64_t o = 0; o < O; ++o) acc += double(g[o]) * double(w[o * I + i]);
        dx[n * I + i] = T(acc);
      }
    }
  }
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < O; ++o) {
    for (int64_t i = 0; i < I; ++i) {
      double acc = 0;
      for (int64_t n = 0; n < N; ++n) acc += double(dy[n * O + o]) * double(x[n * I + i]);
      dw[o * I + i] = T(acc);
    }
    if (db) {
      double acc = 0;
      for (int64_t n = 0; n < N; ++n) acc += double(dy[n * O + o]);
      db[o] = T(acc);
    }
  }
}

}  // namespace

void linear_forward_cpu(Ctx&, const LinearForwardArgs& a) {
  const int64_t N = a.x.dim(0), I = a.x.dim(1), O = a.w.dim(0);
  if (a.x.dtype == DType::f64)
    return forward(N, I, O, a.x.as<double>(), a.w.as<double>(), a.b ? a.b->as<double>() : nullptr,
                   a.y.as<double>());
  forward(N, I, O, a.x.f32(), a.w.f32(), a.b ? a.b->f32() : nullptr, a.y.f32());
}

void linear_backward_cpu(Ctx&, const LinearBackwardArgs& a) {
  const int64_t N = a.x.dim(0), I = a.x.dim(1), O = a.w.dim(0);
  if (a.x.dtype == DType::f64)
    return backward(N, I, O, a.x.as<double>(), a.w.as<double>(), a.dy.as<double>(),
                    a.dx ? a.dx->as<double>() : nullptr, a.dw.as<double>(), a.db ? a.db->as<double>() : nullptr);
  backward(N, I, O, a.x.f32(), a.w.f32(), a.dy.f32(), a.dx ? a.dx->f32() : nullptr, a.dw.f32(),
           a.db ? a.db->f32() : nullptr);
}

}  // namespace aws
