// Direct convolution loops (NHWC activations, OHWI weights): the tests' reference and the cpu fallback
// where oneDNN is not built. Templated on the scalar type so the gradient checker can run them in
// double; sums are accumulated in double either way. Each output element is owned by one thread.
#include "engine/ops/conv2d.h"

namespace aws {

namespace {

struct Dims {
  int64_t N, H, W, C, K, R, S, P, Q;
  int st, pad;
};

Dims dims_of(const Conv2dParams& p, const Tensor& x, const Tensor& w) {
  Dims d{};
  d.N = x.dim(0), d.H = x.dim(1), d.W = x.dim(2), d.C = x.dim(3);
  d.K = w.dim(0), d.R = w.dim(1), d.S = w.dim(2);
  d.P = conv2d_out_size(d.H, d.R, p.stride, p.pad);
  d.Q = conv2d_out_size(d.W, d.S, p.stride, p.pad);
  d.st = p.stride, d.pad = p.pad;
  return d;
}

// y[n,p,q,k] = Σ_{r,s,c} x[n, p·st−pad+r, q·st−pad+s, c] · w[k,r,s,c]
template <class T>
void forward(const Dims& d, const T* x, const T* w, T* y) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t p = 0; p < d.P; ++p)
      for (int64_t q = 0; q < d.Q; ++q)
        for (int64_t k = 0; k < d.K; ++k) {
          double acc = 0;
          for (int64_t r = 0; r < d.R; ++r) {
            const int64_t h = p * d.st - d.pad + r;
            if (h < 0 || h >= d.H) continue;
            for (int64_t s = 0; s < d.S; ++s) {
              const int64_t ww = q * d.st - d.pad + s;
              if (ww < 0 || ww >= d.W) continue;
              const T* xr = x + ((n * d.H + h) * d.W + ww) * d.C;
              const T* wr = w + ((k * d.R + r) * d.S + s) * d.C;
              for (int64_t c = 0; c < d.C; ++c) acc += double(xr[c]) * double(wr[c]);
            }
          }
          y[((n * d.P + p) * d.Q + q) * d.K + k] = T(acc);
        }
}

// dx[n,h,w,c] = Σ over (k,r,s) with h = p·st−pad+r, w = q·st−pad+s of dy[n,p,q,k] · w[k,r,s,c]
template <class T>
void backward_data(const Dims& d, const T* dy, const T* w, T* dx) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t x = 0; x < d.W; ++x)
        for (int64_t c = 0; c < d.C; ++c) {
          double acc = 0;
          for (int64_t r = 0; r < d.R; ++r) {
            const int64_t tp = h + d.pad - r;
            if (tp < 0 || tp % d.st) continue;
            const int64_t p = tp / d.st;
            if (p >= d.P) continue;
            for (int64_t s = 0; s < d.S; ++s) {
              const int64_t tq = x + d.pad - s;
              if (tq < 0 || tq % d.st) continue;
              const int64_t q = tq / d.st;
              if (q >= d.Q) continue;
              const T* g = dy + ((n * d.P + p) * d.Q + q) * d.K;
              const T* wk = w + (r * d.S + s) * d.C + c;
              const int64_t wstride = d.R * d.S * d.C;
              for (int64_t k = 0; k < d.K; ++k) acc += double(g[k]) * double(wk[k * wstride]);
            }
          }
          dx[((n * d.H + h) * d.W + x) * d.C + c] = T(acc);
        }
}

// dw[k,r,s,c] = Σ_{n,p,q} dy[n,p,q,k] · x[n, p·st−pad+r, q·st−pad+s, c]
template <class T>
void backward_weights(const Dims& d, const T* x, const T* dy, T* dw) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t k = 0; k < d.K; ++k)
    for (int64_t r = 0; r < d.R; ++r)
      for (int64_t s = 0; s < d.S; ++s)
        for (int64_t c = 0; c < d.C; ++c) {
          double acc = 0;
          for (int64_t n = 0; n < d.N; ++n)
            for (int64_t p = 0; p < d.P; ++p) {
              const int64_t h = p * d.st - d.pad + r;
              if (h < 0 || h >= d.H) continue;
              for (int64_t q = 0; q < d.Q; ++q) {
                const int64_t ww = q * d.st - d.pad + s;
                if (ww < 0 || ww >= d.W) continue;
                acc += double(dy[((n * d.P + p) * d.Q + q) * d.K + k]) *
                       double(x[((n * d.H + h) * d.W + ww) * d.C + c]);
              }
            }
          dw[((k * d.R + r) * d.S + s) * d.C + c] = T(acc);
        }
}

}  // namespace

void conv2d_forward_direct(Ctx&, const Conv2dParams& p, const Conv2dForwardArgs& a) {
  const Dims d = dims_of(p, a.x, a.w);
  if (a.x.dtype == DType::f64) return forward(d, a.x.as<double>(), a.w.as<double>(), a.y.as<double>());
  forward(d, a.x.f32(), a.w.f32(), a.y.f32());
}

void conv2d_backward_data_direct(Ctx&, const Conv2dParams& p, const Conv2dBackwardDataArgs& a) {
  const Dims d = dims_of(p, a.dx, a.w);
  if (a.dy.dtype == DType::f64) return backward_data(d, a.dy.as<double>(), a.w.as<double>(), a.dx.as<double>());
  backward_data(d, a.dy.f32(), a.w.f32(), a.dx.f32());
}

void conv2d_backward_weights_direct(Ctx&, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a) {
  const Dims d = dims_of(p, a.x, a.dw);
  if (a.x.dtype == DType::f64) return backward_weights(d, a.x.as<double>(), a.dy.as<double>(), a.dw.as<double>());
  backward_weights(d, a.x.f32(), a.dy.f32(), a.dw.f32());
}

}  // namespace aws
