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

void global_avgpool_forward_cuda(Ctx& ctx, const GlobalAvgPoolForwardArgs& a) {
  const int64_t N = a.x.dim(0), HW = a.x.dim(1) * a.x.dim(2), C = a.x.dim(3);
  if (N * C == 0) return;
  if (a.x.dtype == DType::bf16)
    gap_fwd_kernel<<<grid_for(N * C), 256, 0, stream_of(ctx)>>>(a.x.as<bf16>(), a.y.f32(), N, HW, C);
  else
    gap_fwd_kernel<<<grid_for(N * C), 256, 0, stream_of(ctx)>>>(a.x.f32(), a.y.f32(), N, HW, C);
  AWS_LAUNCH_CHECK(ctx, "global_avgpool_forward");
}

void global_avgpool_backward_cuda(Ctx& ctx, const GlobalAvgPoolBackwardArgs& a) {
  const int64_t N = a.dx.dim(0), HW = a.dx.dim(1) * a.dx.dim(2), C = a.dx.dim(3);
  if (a.dx.numel() == 0) return;
  if (a.dx.dtype == DType::bf16)
    gap_bwd_kernel<<<grid_for(a.dx.numel()), 256, 0, stream_of(ctx)>>>(a.dy.f32(), a.dx.as<bf16>(), N, HW, C);
  else
    gap_bwd_kernel<<<grid_for(a.dx.numel()), 256, 0, stream_of(ctx)>>>(a.dy.f32(), a.dx.f32(), N, HW, C);
  AWS_LAUNCH_CHECK(ctx, "global_avgpool_backward");
}

void maxpool_forward_cuda(Ctx& ctx, const MaxPoolParams& p, const MaxPoolForwardArgs& a) {
  const int64_t N = a.x.dim(0), H = a.x.dim(1), W = a.x.dim(2), C = a.x.dim(3), P = a.y.dim(1), Q = a.y.dim(2);
  if (a.y.numel() == 0) return;
  maxpool_fwd_kernel<<<grid_for(a.y.numel()), 256, 0, stream_of(ctx)>>>(p, a.x.f32(), a.y.f32(), a.argmax.i32(), N, H,
                                                                        W, C, P, Q);
  AWS_LAUNCH_CHECK(ctx, "maxpool_forward");
}

void maxpool_backward_cuda(Ctx& ctx, const MaxPoolParams& p, const MaxPoolBackwardArgs& a) {
  const int64_t N = a.dx.dim(0), H = a.dx.dim(1), W = a.dx.dim(2), C = a.dx.dim(3), P = a.dy.dim(1), Q = a.dy.dim(2);
  if (a.dx.numel() == 0) return;
  maxpool_bwd_kernel<<<grid_for(a.dx.numel()), 256, 0, stream_of(ctx)>>>(p, a.dy.f32(), a.argmax.i32(), a.dx.f32(), N,
                                                                         H, W, C, P, Q);
  AWS_LAUNCH_CHECK(ctx, "maxpool_backward");
}

}  // namespace aws
