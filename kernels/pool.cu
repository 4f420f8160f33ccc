// Pooling on the GPU (NHWC). Max-pool windows use the shared body of kernels/pool_ops.h; its backward
// gathers (each input element sums the outputs whose argmax is it, in output order) instead of
// scattering with atomics, so the result is deterministic and sums in the cpu's order. The global
// average pool also takes bf16 features (T), with f32 pooled vectors, for the half-precision mode.
#include "kernels/pool.h"
#include "kernels/bf16_ops.h"
#include "kernels/cuda_context.h"
#include "kernels/pool_ops.h"

namespace aws {

#define AWS_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

template <class T>
static __global__ void gap_fwd_kernel(const T* x, float* y, int64_t N, int64_t HW, int64_t C) {
  AWS_GRID_LOOP(i, N * C) {
    const int64_t n = i / C, c = i % C;
    const T* p = x + n * HW * C + c;
    double s = 0;
    for (int64_t j = 0; j < HW; ++j) s += double(to_f32(p[j * C]));
    y[i] = float(s / double(HW));
  }
}

template <class T>
static __global__ void gap_bwd_kernel(const float* dy, T* dx, int64_t N, int64_t HW, int64_t C) {
  const float inv = 1.0f / float(HW);
  AWS_GRID_LOOP(i, N * HW * C) {
    const int64_t c = i % C, n = i / (HW * C);
    dx[i] = from_f32<T>(dy[n * C + c] * inv);
  }
}

static __global__ void maxpool_fwd_kernel(MaxPoolParams p, const float* x, float* y, int32_t* arg, int64_t N,
                                          int64_t H, int64_t W, int64_t C, int64_t P, int64_t Q) {
  AWS_GRID_LOOP(i, N * P * Q * C) {
    const int64_t c = i % C, q = (i / C) % Q, pp = (i / (C * Q)) % P, n = i / (C * Q * P);
    y[i] = maxpool_window(x + n * H * W * C, H, W, C, c, pp * p.stride - p.pad, q * p.stride - p.pad, p.kernel,
                          arg + i);
  }
}

static __global__ void maxpool_bwd_kernel(MaxPoolParams p, const float* dy, const int32_t* arg, float* dx,
                                          int64_t N, int64_t H, int64_t W, int64_t C, int64_t P, int64_t Q) {
  AWS_GRID_LOOP(i, N * H * W * C) {
    const int64_t c = i % C, w = (i / C) % W, h = (i / (C * W)) % H, n = i / (C * W * H);
    const int32_t self = int32_t(h * W + w);
    // Outputs whose window covers (h, w): p·stride − pad ≤ h ≤ p·stride − pad + k − 1.
    int64_t p0 = h + p.pad - p.kernel + 1, p1 = (h + p.pad) / p.stride;
    p0 = p0 <= 0 ? 0 : (p0 + p.stride - 1) / p.stride;
    int64_t q0 = w + p.pad - p.kernel + 1, q1 = (w + p.pad) / p.stride;
    q0 = q0 <= 0 ? 0 : (q0 + p.stride - 1) / p.stride;
    if (p1 >= P) p1 = P - 1;
    if (q1 >= Q) q1 = Q - 1;
    float s = 0.0f;
    for (int64_t a = p0; a <= p1; ++a)
      for (int64_t b = q0; b <= q1; ++b) {
        const int64_t o = ((n * P + a) * Q + b) * C + c;
        if (arg[o] == self) s += dy[o];
      }
    dx[i] = s;
  }
}

void global_avgpool_forward_cuda(Ctx& ctx, const Tensor& x, Tensor& y) {
  const int64_t N = x.dim(0), HW = x.dim(1) * x.dim(2), C = x.dim(3);
  if (N * C == 0) return;
  if (x.dtype == DType::bf16)
    gap_fwd_kernel<<<grid_for(N * C), 256, 0, stream_of(ctx)>>>(x.as<bf16>(), y.f32(), N, HW, C);
  else
    gap_fwd_kernel<<<grid_for(N * C), 256, 0, stream_of(ctx)>>>(x.f32(), y.f32(), N, HW, C);
  AWS_LAUNCH_CHECK(ctx, "global_avgpool_forward");
}

void global_avgpool_backward_cuda(Ctx& ctx, const Tensor& dy, Tensor& dx) {
  const int64_t N = dx.dim(0), HW = dx.dim(1) * dx.dim(2), C = dx.dim(3);
  if (dx.numel() == 0) return;
  if (dx.dtype == DType::bf16)
    gap_bwd_kernel<<<grid_for(dx.numel()), 256, 0, stream_of(ctx)>>>(dy.f32(), dx.as<bf16>(), N, HW, C);
  else
    gap_bwd_kernel<<<grid_for(dx.numel()), 256, 0, stream_of(ctx)>>>(dy.f32(), dx.f32(), N, HW, C);
  AWS_LAUNCH_CHECK(ctx, "global_avgpool_backward");
}

void maxpool_forward_cuda(Ctx& ctx, const MaxPoolParams& p, const Tensor& x, Tensor& y, Tensor& argmax) {
  const int64_t N = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3), P = y.dim(1), Q = y.dim(2);
  if (y.numel() == 0) return;
  maxpool_fwd_kernel<<<grid_for(y.numel()), 256, 0, stream_of(ctx)>>>(p, x.f32(), y.f32(), argmax.i32(), N, H, W,
                                                                      C, P, Q);
  AWS_LAUNCH_CHECK(ctx, "maxpool_forward");
}

void maxpool_backward_cuda(Ctx& ctx, const MaxPoolParams& p, const Tensor& dy, const Tensor& argmax, Tensor& dx) {
  const int64_t N = dx.dim(0), H = dx.dim(1), W = dx.dim(2), C = dx.dim(3), P = dy.dim(1), Q = dy.dim(2);
  if (dx.numel() == 0) return;
  maxpool_bwd_kernel<<<grid_for(dx.numel()), 256, 0, stream_of(ctx)>>>(p, dy.f32(), argmax.i32(), dx.f32(), N, H,
                                                                       W, C, P, Q);
  AWS_LAUNCH_CHECK(ctx, "maxpool_backward");
}

}  // namespace aws
