// Fused batch-norm (+ residual + ReLU) on the cpu (f32 or f64), NHWC. Threads take blocks of kChan
// channels; a block reads its channels of every row, reduces in double, then applies, so statistics
// are exact sums in a fixed order (independent of the thread count) and nothing is allocated.
#include <algorithm>

#include "engine/ops/batchnorm.h"
#include "kernels/batchnorm_ops.h"

namespace aws {

namespace {

constexpr int64_t kChan = 8;

struct Dims {
  int64_t M, C, blocks;
};
Dims dims_of(const Tensor& x) {
  const int64_t C = x.dim(3);
  return Dims{x.dim(0) * x.dim(1) * x.dim(2), C, (C + kChan - 1) / kChan};
}

template <class T>
void forward_train(const BatchNormParams& p, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   const Tensor* residual, Tensor& running_mean, Tensor& running_var, Tensor& save_mean,
                   Tensor& save_invstd, Tensor& y) {
  const Dims d = dims_of(x);
  const T* px = x.as<T>();
  const T* pr = residual ? residual->as<T>() : nullptr;
  T* py = y.as<T>();
  const T *g = gamma.as<T>(), *b = beta.as<T>();
  T *rm = running_mean.as<T>(), *rv = running_var.as<T>(), *sm = save_mean.as<T>(), *si = save_invstd.as<T>();
  const double M = double(d.M);
#pragma omp parallel for schedule(dynamic, 1) if (d.M * d.C > 16384)
  for (int64_t blk = 0; blk < d.blocks; ++blk) {
    const int64_t c0 = blk * kChan, nb = std::min(kChan, d.C - c0);
    double s[kChan] = {}, ss[kChan] = {};
    for (int64_t i = 0; i < d.M; ++i) {
      const T* xr = px + i * d.C + c0;
      for (int64_t j = 0; j < nb; ++j) {
        const double v = double(xr[j]);
        s[j] += v;
        ss[j] += v * v;
      }
    }
    T mean[kChan], invstd[kChan];
    for (int64_t j = 0; j < nb; ++j) {
      const int64_t c = c0 + j;
      double mu, var;
      bn_stats_from_sums(s[j], ss[j], M, mu, var);
      mean[j] = T(mu);
      invstd[j] = T(bn_invstd(var, double(p.eps)));
      sm[c] = mean[j];
      si[c] = invstd[j];
      rm[c] = T(bn_running_update(double(rm[c]), mu, double(p.momentum)));
      rv[c] = T(bn_running_update(double(rv[c]), var * M / (M - 1.0), double(p.momentum)));
    }
    for (int64_t i = 0; i < d.M; ++i) {
      const int64_t o = i * d.C + c0;
      for (int64_t j = 0; j < nb; ++j)
        py[o + j] = bn_apply(px[o + j], mean[j], invstd[j], g[c0 + j], b[c0 + j], pr ? pr[o + j] : T(0), p.relu);
    }
  }
}

template <class T>
void forward_eval(const BatchNormParams& p, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                  const Tensor* residual, const Tensor& running_mean, const Tensor& running_var, Tensor& y) {
  const Dims d = dims_of(x);
  const T* px = x.as<T>();
  const T* pr = residual ? residual->as<T>() : nullptr;
  T* py = y.as<T>();
  const T *g = gamma.as<T>(), *b = beta.as<T>(), *rm = running_mean.as<T>(), *rv = running_var.as<T>();
#pragma omp parallel for schedule(dynamic, 1) if (d.M * d.C > 16384)
  for (int64_t blk = 0; blk < d.blocks; ++blk) {
    const int64_t c0 = blk * kChan, nb = std::min(kChan, d.C - c0);
    T invstd[kChan];
    for (int64_t j = 0; j < nb; ++j) invstd[j] = bn_invstd(rv[c0 + j], T(p.eps));
    for (int64_t i = 0; i < d.M; ++i) {
      const int64_t o = i * d.C + c0;
      for (int64_t j = 0; j < nb; ++j)
        py[o + j] = bn_apply(px[o + j], rm[c0 + j], invstd[j], g[c0 + j], b[c0 + j], pr ? pr[o + j] : T(0), p.relu);
    }
  }
}

// One reduction pass (sum g, sum g·xhat; dresidual = g on the way), then dx, per channel block.
template <class T>
void backward(const BatchNormParams& p, const Tensor& x, const Tensor& y, const Tensor& dy, const Tensor& gamma,
              const Tensor& save_mean, const Tensor& save_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta,
              Tensor* dresidual) {
  const Dims d = dims_of(x);
  const T *px = x.as<T>(), *py = y.as<T>(), *pg = dy.as<T>();
  T* pdx = dx.as<T>();
  T* pdr = dresidual ? dresidual->as<T>() : nullptr;
  const T *ga = gamma.as<T>(), *sm = save_mean.as<T>(), *si = save_invstd.as<T>();
  T *dga = dgamma.as<T>(), *dbe = dbeta.as<T>();
  const double M = double(d.M);
#pragma omp parallel for schedule(dynamic, 1) if (d.M * d.C > 16384)
  for (int64_t blk = 0; blk < d.blocks; ++blk) {
    const int64_t c0 = blk * kChan, nb = std::min(kChan, d.C - c0);
    double sg[kChan] = {}, sgx[kChan] = {};
    for (int64_t i = 0; i < d.M; ++i) {
      const int64_t o = i * d.C + c0;
      for (int64_t j = 0; j < nb; ++j) {
        const T g = bn_grad_pre(py[o + j], pg[o + j], p.relu);
        if (pdr) pdr[o + j] = g;
        sg[j] += double(g);
        sgx[j] += double(g) * double(bn_xhat(px[o + j], sm[c0 + j], si[c0 + j]));
      }
    }
    T gi[kChan], mg[kChan], mgx[kChan];
    for (int64_t j = 0; j < nb; ++j) {
      dbe[c0 + j] = T(sg[j]);
      dga[c0 + j] = T(sgx[j]);
      gi[j] = ga[c0 + j] * si[c0 + j];
      mg[j] = T(sg[j] / M);
      mgx[j] = T(sgx[j] / M);
    }
    for (int64_t i = 0; i < d.M; ++i) {
      const int64_t o = i * d.C + c0;
      for (int64_t j = 0; j < nb; ++j) {
        const T g = bn_grad_pre(py[o + j], pg[o + j], p.relu);
        pdx[o + j] = bn_backward_dx(g, bn_xhat(px[o + j], sm[c0 + j], si[c0 + j]), gi[j], mg[j], mgx[j]);
      }
    }
  }
}

}  // namespace

void batchnorm_forward_train_cpu(Ctx&, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                 const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                                 Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y) {
  if (x.dtype == DType::f64)
    return forward_train<double>(p, x, gamma, beta, residual, running_mean, running_var, save_mean, save_invstd, y);
  forward_train<float>(p, x, gamma, beta, residual, running_mean, running_var, save_mean, save_invstd, y);
}

void batchnorm_forward_eval_cpu(Ctx&, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                                const Tensor& running_var, Tensor& y) {
  if (x.dtype == DType::f64) return forward_eval<double>(p, x, gamma, beta, residual, running_mean, running_var, y);
  forward_eval<float>(p, x, gamma, beta, residual, running_mean, running_var, y);
}

void batchnorm_backward_cpu(Ctx&, const BatchNormParams& p, const Tensor& x, const Tensor& y, const Tensor& dy,
                            const Tensor& gamma, const Tensor& save_mean, const Tensor& save_invstd, Tensor& dx,
                            Tensor& dgamma, Tensor& dbeta, Tensor* dresidual) {
  if (x.dtype == DType::f64)
    return backward<double>(p, x, y, dy, gamma, save_mean, save_invstd, dx, dgamma, dbeta, dresidual);
  backward<float>(p, x, y, dy, gamma, save_mean, save_invstd, dx, dgamma, dbeta, dresidual);
}

}  // namespace aws
