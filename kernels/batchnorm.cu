// Fused batch-norm (+ residual + ReLU) on the GPU, NHWC, with the per-element bodies of
// kernels/batchnorm_ops.h. Per-channel sums are two-level and deterministic: a grid of
// (channel tile × row slice) blocks writes double partials to the context's scratch buffer, then one
// thread per channel adds its slices in order. No allocation, no atomics. Activations (x, y, residual
// and their gradients) are f32 or bf16 (T; kernels/bf16_ops.h); parameters and statistics are f32.
#include <algorithm>

#include "kernels/batchnorm.h"
#include "kernels/batchnorm_ops.h"
#include "kernels/bf16_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

constexpr int kTx = 32, kTy = 8;  // a block: 32 channels × 8 row lanes

struct BnLayout {
  int64_t M, C;
  int slices;           // row slices (grid.y)
  double* part;         // [slices][2][C] partial sums
  float* coef;          // [2][C] per-channel coefficients for the elementwise pass
};

BnLayout bn_layout(Ctx& ctx, int64_t M, int64_t C) {
  BnLayout L{M, C, 1, nullptr, nullptr};
  const size_t coef_bytes = size_t(2 * C) * sizeof(float);
  const size_t per_slice = size_t(2 * C) * sizeof(double);
  int64_t want = std::min<int64_t>(128, std::max<int64_t>(1, M / 256));
  int64_t fit = int64_t((ctx.cuda->scratch_bytes - coef_bytes - 256) / per_slice);
  AWS_ASSERT(fit >= 1, "batchnorm: " + std::to_string(C) + " channels exceed the cuda scratch buffer");
  L.slices = int(std::min(want, fit));
  L.part = static_cast<double*>(ctx.cuda->scratch);
  L.coef = reinterpret_cast<float*>(static_cast<char*>(ctx.cuda->scratch) +
                                    (size_t(L.slices) * per_slice + 255) / 256 * 256);
  return L;
}

// Block reduction over threadIdx.y of two per-channel double sums, then one write per slice.
__device__ void store_partials(BnLayout L, int64_t c, double a, double b) {
  __shared__ double sa[kTy][kTx], sb[kTy][kTx];
  sa[threadIdx.y][threadIdx.x] = a;
  sb[threadIdx.y][threadIdx.x] = b;
  __syncthreads();
  if (threadIdx.y == 0 && c < L.C) {
    double ta = 0, tb = 0;
    for (int j = 0; j < kTy; ++j) {
      ta += sa[j][threadIdx.x];
      tb += sb[j][threadIdx.x];
    }
    double* p = L.part + size_t(blockIdx.y) * 2 * L.C;
    p[c] = ta;
    p[L.C + c] = tb;
  }
}

// Channel c's two sums: its per-slice partials added in slice order (the same order on every run).
__device__ void sum_slices(const BnLayout& L, int64_t c, double& a, double& b) {
  for (int j = 0; j < L.slices; ++j) {
    a += L.part[size_t(j) * 2 * L.C + c];
    b += L.part[size_t(j) * 2 * L.C + L.C + c];
  }
}

template <class T>
__global__ void bn_sums_kernel(BnLayout L, const T* x) {
  const int64_t c = blockIdx.x * int64_t(kTx) + threadIdx.x;
  double s = 0, ss = 0;
  if (c < L.C)
    for (int64_t r = blockIdx.y * int64_t(kTy) + threadIdx.y; r < L.M; r += int64_t(gridDim.y) * kTy) {
      const double v = to_f32(x[r * L.C + c]);
      s += v;
      ss += v * v;
    }
  store_partials(L, c, s, ss);
}

__global__ void bn_stats_kernel(BnLayout L, BatchNormParams p, float* running_mean, float* running_var,
                                float* save_mean, float* save_invstd) {
  const int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (c >= L.C) return;
  double s = 0, ss = 0;
  sum_slices(L, c, s, ss);
  double mean, var;
  bn_stats_from_sums<double>(s, ss, double(L.M), mean, var);
  save_mean[c] = float(mean);
  save_invstd[c] = float(bn_invstd<double>(var, double(p.eps)));
  const double unbiased = L.M > 1 ? var * double(L.M) / double(L.M - 1) : var;
  running_mean[c] = bn_running_update<float>(running_mean[c], float(mean), p.momentum);
  running_var[c] = bn_running_update<float>(running_var[c], float(unbiased), p.momentum);
}

__global__ void bn_eval_stats_kernel(int64_t C, float eps, const float* running_mean, const float* running_var,
                                     float* mean, float* invstd) {
  const int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (c >= C) return;
  mean[c] = running_mean[c];
  invstd[c] = bn_invstd<float>(running_var[c], eps);
}

template <class T>
__global__ void bn_apply_kernel(int64_t n, int64_t C, bool relu, const T* x, const float* mean,
                                const float* invstd, const float* gamma, const float* beta, const T* res, T* y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = i % C;
    y[i] = from_f32<T>(
        bn_apply<float>(to_f32(x[i]), mean[c], invstd[c], gamma[c], beta[c], res ? to_f32(res[i]) : 0.0f, relu));
  }
}

template <class T>
__global__ void bn_bwd_sums_kernel(BnLayout L, bool relu, const T* x, const T* y, const T* dy, const float* mean,
                                   const float* invstd, T* dres) {
  const int64_t c = blockIdx.x * int64_t(kTx) + threadIdx.x;
  double sg = 0, sgx = 0;
  if (c < L.C) {
    const float m = mean[c], is = invstd[c];
    for (int64_t r = blockIdx.y * int64_t(kTy) + threadIdx.y; r < L.M; r += int64_t(gridDim.y) * kTy) {
      const int64_t i = r * L.C + c;
      const float g = bn_grad_pre<float>(to_f32(y[i]), to_f32(dy[i]), relu);
      if (dres) dres[i] = from_f32<T>(g);
      sg += double(g);
      sgx += double(g) * double(bn_xhat<float>(to_f32(x[i]), m, is));
    }
  }
  store_partials(L, c, sg, sgx);
}

__global__ void bn_bwd_finish_kernel(BnLayout L, float* dgamma, float* dbeta) {
  const int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (c >= L.C) return;
  double sg = 0, sgx = 0;
  sum_slices(L, c, sg, sgx);
  dbeta[c] = float(sg);
  dgamma[c] = float(sgx);
  L.coef[c] = float(sg / double(L.M));
  L.coef[L.C + c] = float(sgx / double(L.M));
}

// dx may alias dy: each element is read, then written, by one thread.
template <class T>
__global__ void bn_bwd_dx_kernel(BnLayout L, bool relu, const T* x, const T* y, const T* dy, const float* gamma,
                                 const float* mean, const float* invstd, T* dx) {
  const int64_t n = L.M * L.C;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = i % L.C;
    const float g = bn_grad_pre<float>(to_f32(y[i]), to_f32(dy[i]), relu);
    const float xh = bn_xhat<float>(to_f32(x[i]), mean[c], invstd[c]);
    dx[i] = from_f32<T>(bn_backward_dx<float>(g, xh, gamma[c] * invstd[c], L.coef[c], L.coef[L.C + c]));
  }
}

dim3 sums_grid(const BnLayout& L) { return dim3(unsigned((L.C + kTx - 1) / kTx), unsigned(L.slices)); }

template <class T>
void forward_train(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                  const Tensor& beta, const Tensor* residual, Tensor& running_mean,
                                  Tensor& running_var, Tensor& save_mean, Tensor& save_invstd, Tensor& y) {
  const int64_t C = x.dim(3), M = x.numel() / C;
  if (M == 0) return;
  const BnLayout L = bn_layout(ctx, M, C);
  cudaStream_t st = stream_of(ctx);
  bn_sums_kernel<<<sums_grid(L), dim3(kTx, kTy), 0, st>>>(L, x.as<T>());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_forward_train (sums)");
  bn_stats_kernel<<<grid_for(C, 128), 128, 0, st>>>(L, p, running_mean.f32(), running_var.f32(), save_mean.f32(),
                                                     save_invstd.f32());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_forward_train (stats)");
  bn_apply_kernel<<<grid_for(M * C), 256, 0, st>>>(M * C, C, p.relu, x.as<T>(), save_mean.f32(), save_invstd.f32(),
                                                   gamma.f32(), beta.f32(), residual ? residual->as<T>() : nullptr,
                                                   y.as<T>());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_forward_train (apply)");
}

template <class T>
void forward_eval(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& gamma,
                                 const Tensor& beta, const Tensor* residual, const Tensor& running_mean,
                                 const Tensor& running_var, Tensor& y) {
  const int64_t C = x.dim(3), M = x.numel() / C;
  if (M == 0) return;
  const BnLayout L = bn_layout(ctx, M, C);
  cudaStream_t st = stream_of(ctx);
  bn_eval_stats_kernel<<<grid_for(C, 128), 128, 0, st>>>(C, p.eps, running_mean.f32(), running_var.f32(), L.coef,
                                                          L.coef + C);
  AWS_LAUNCH_CHECK(ctx, "batchnorm_forward_eval (stats)");
  bn_apply_kernel<<<grid_for(M * C), 256, 0, st>>>(M * C, C, p.relu, x.as<T>(), L.coef, L.coef + C, gamma.f32(),
                                                   beta.f32(), residual ? residual->as<T>() : nullptr, y.as<T>());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_forward_eval (apply)");
}

template <class T>
void backward(Ctx& ctx, const BatchNormParams& p, const Tensor& x, const Tensor& y,
                             const Tensor& dy, const Tensor& gamma, const Tensor& save_mean,
                             const Tensor& save_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta,
                             Tensor* dresidual) {
  const int64_t C = x.dim(3), M = x.numel() / C;
  if (M == 0) return;
  const BnLayout L = bn_layout(ctx, M, C);
  cudaStream_t st = stream_of(ctx);
  bn_bwd_sums_kernel<<<sums_grid(L), dim3(kTx, kTy), 0, st>>>(L, p.relu, x.as<T>(), y.as<T>(), dy.as<T>(),
                                                               save_mean.f32(), save_invstd.f32(),
                                                               dresidual ? dresidual->as<T>() : nullptr);
  AWS_LAUNCH_CHECK(ctx, "batchnorm_backward (sums)");
  bn_bwd_finish_kernel<<<grid_for(C, 128), 128, 0, st>>>(L, dgamma.f32(), dbeta.f32());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_backward (finish)");
  bn_bwd_dx_kernel<<<grid_for(M * C), 256, 0, st>>>(L, p.relu, x.as<T>(), y.as<T>(), dy.as<T>(), gamma.f32(),
                                                    save_mean.f32(), save_invstd.f32(), dx.as<T>());
  AWS_LAUNCH_CHECK(ctx, "batchnorm_backward (dx)");
}

}  // namespace

void batchnorm_forward_train_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormTrainArgs& a) {
  if (a.x.dtype == DType::bf16)
    return forward_train<bf16>(ctx, p, a.x, a.gamma, a.beta, a.residual, a.running_mean, a.running_var, a.save_mean,
                               a.save_invstd, a.y);
  forward_train<float>(ctx, p, a.x, a.gamma, a.beta, a.residual, a.running_mean, a.running_var, a.save_mean,
                       a.save_invstd, a.y);
}

void batchnorm_forward_eval_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormEvalArgs& a) {
  if (a.x.dtype == DType::bf16)
    return forward_eval<bf16>(ctx, p, a.x, a.gamma, a.beta, a.residual, a.running_mean, a.running_var, a.y);
  forward_eval<float>(ctx, p, a.x, a.gamma, a.beta, a.residual, a.running_mean, a.running_var, a.y);
}

void batchnorm_backward_cuda(Ctx& ctx, const BatchNormParams& p, const BatchNormBackwardArgs& a) {
  if (a.x.dtype == DType::bf16)
    return backward<bf16>(ctx, p, a.x, a.y, a.dy, a.gamma, a.save_mean, a.save_invstd, a.dx, a.dgamma, a.dbeta,
                          a.dresidual);
  backward<float>(ctx, p, a.x, a.y, a.dy, a.gamma, a.save_mean, a.save_invstd, a.dx, a.dgamma, a.dbeta,
                  a.dresidual);
}

}  // namespace aws
