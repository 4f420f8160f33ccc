// Optimizer updates and gradient-norm clipping on the GPU over the shared bodies of
// kernels/optim_ops.h. Scalars that live on the device (the learning rate, Adam's step counter, the
// clip scale) are read there when the kernel runs, so a step needs no host round trip and a captured
// step (CUDA graph) replays with each step's learning rate. The clip norm sums squares in exactly the cpu's order
// (fixed chunks of max(16384, ⌈n/256⌉) elements, chunk order, tensor order, all in double), so the
// norm is bit-identical to grad_clip_cpu.
#include <algorithm>

#include "engine/optim/adam.h"
#include "engine/optim/clip.h"
#include "engine/optim/sgd.h"
#include "kernels/cuda_context.h"
#include "kernels/optim_ops.h"

namespace aws {

namespace {

__device__ float scale_of(const float* grad_scale) { return grad_scale ? grad_scale[0] : 1.f; }

// `c` carries everything but the learning rate, which is read from lr[0].
__global__ void sgd_kernel(float* p, float* buf, const float* g, int64_t n, const float* grad_scale, const float* lr,
                           SgdCoeffs c) {
  const float s = scale_of(grad_scale);
  c.lr = lr[0];
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    float none = 0.f;
    sgd_update(p[i], buf ? buf[i] : none, g[i], s, c);
  }
}

// Increments the step counter and computes the two coefficient sets (with / without decay).
__global__ void adam_bump_kernel(int32_t* step, AdamCoeffs* out, const float* lr_f, double b1, double b2,
                                 double eps, double wd) {
  const int32_t t = ++step[0];
  const double lr = double(lr_f[0]);
  out[0] = adam_coeffs(lr, b1, b2, eps, wd, double(t));
  out[1] = adam_coeffs(lr, b1, b2, eps, 0.0, double(t));
}

__global__ void adam_kernel(float* p, float* m, float* v, const float* g, int64_t n, const float* grad_scale,
                            const AdamCoeffs* coeffs) {
  const float s = scale_of(grad_scale);
  const AdamCoeffs c = *coeffs;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    adam_update(p[i], m[i], v[i], g[i], s, c);
}

constexpr int kMaxChunks = 256;

// One block; thread c sums chunk c serially (the cpu's order), thread 0 adds the chunks in order.
__global__ void sumsq_kernel(const float* g, int64_t n, int64_t chunk, double* subtotal) {
  __shared__ double part[kMaxChunks];
  const int64_t chunks = (n + chunk - 1) / chunk;
  const int64_t c = threadIdx.x;
  if (c < chunks) {
    double s = 0.0;
    const int64_t end = min(n, (c + 1) * chunk);
    for (int64_t i = c * chunk; i < end; ++i) s += double(g[i]) * double(g[i]);
    part[c] = s;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0.0;
    for (int64_t k = 0; k < chunks; ++k) total += part[k];
    *subtotal = total;
  }
}

__global__ void clip_finish_kernel(const double* subtotals, int count, float max_norm, float* norm, float* scale) {
  double total = 0.0;
  for (int k = 0; k < count; ++k) total += subtotals[k];
  const double nrm = sqrt(total);
  norm[0] = float(nrm);
  scale[0] = clip_scale(nrm, max_norm);
}

}  // namespace

void sgd_step_cuda(Ctx& ctx, const SgdConfig& cfg, const ParamList& params, const Tensor* bufs, const Tensor& lr,
                   const Tensor* grad_scale) {
  for (size_t t = 0; t < params.size(); ++t) {
    const ParamRef& r = params[t];
    const int64_t n = r.param->numel();
    if (n == 0) continue;
    const SgdCoeffs c{0.f, cfg.momentum, r.decay ? cfg.weight_decay : 0.f, cfg.nesterov};
    sgd_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(r.param->f32(), bufs[t].data ? bufs[t].f32() : nullptr,
                                                        r.grad->f32(), n, grad_scale ? grad_scale->f32() : nullptr,
                                                        lr.f32(), c);
    AWS_LAUNCH_CHECK(ctx, "sgd_step");
  }
}

void adam_step_cuda(Ctx& ctx, const AdamConfig& cfg, const ParamList& params, const Tensor* m, const Tensor* v,
                    Tensor& step, const Tensor& lr, const Tensor* grad_scale) {
  auto* coeffs = static_cast<AdamCoeffs*>(ctx.cuda->scratch);
  adam_bump_kernel<<<1, 1, 0, stream_of(ctx)>>>(step.i32(), coeffs, lr.f32(), cfg.beta1, cfg.beta2, cfg.eps,
                                                cfg.weight_decay);
  AWS_LAUNCH_CHECK(ctx, "adam_step (step counter)");
  for (size_t k = 0; k < params.size(); ++k) {
    const ParamRef& r = params[k];
    const int64_t n = r.param->numel();
    if (n == 0) continue;
    adam_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(r.param->f32(), m[k].f32(), v[k].f32(), r.grad->f32(), n,
                                                         grad_scale ? grad_scale->f32() : nullptr,
                                                         coeffs + (r.decay ? 0 : 1));
    AWS_LAUNCH_CHECK(ctx, "adam_step");
  }
}

void grad_clip_cuda(Ctx& ctx, const ParamList& params, float max_norm, Tensor& norm, Tensor& scale) {
  auto* sub = static_cast<double*>(ctx.cuda->scratch);
  AWS_ASSERT(params.size() * sizeof(double) <= ctx.cuda->scratch_bytes, "grad_clip: too many tensors for scratch");
  for (size_t k = 0; k < params.size(); ++k) {
    const int64_t n = params[k].grad->numel();
    const int64_t chunk = std::max<int64_t>(16384, (n + kMaxChunks - 1) / kMaxChunks);
    sumsq_kernel<<<1, kMaxChunks, 0, stream_of(ctx)>>>(params[k].grad->f32(), n, chunk, sub + k);
    AWS_LAUNCH_CHECK(ctx, "grad_clip (sum of squares)");
  }
  clip_finish_kernel<<<1, 1, 0, stream_of(ctx)>>>(sub, int(params.size()), max_norm, norm.f32(), scale.f32());
  AWS_LAUNCH_CHECK(ctx, "grad_clip");
}

}  // namespace aws
