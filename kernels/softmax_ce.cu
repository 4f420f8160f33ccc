// Softmax cross-entropy on the GPU: one block, each thread runs the shared row body of
// kernels/softmax_ce_ops.h on its rows; loss and correct count are reduced in shared memory (fixed order,
// so the result is deterministic). Heads are tiny (N ≤ a few thousand rows of K logits).
// A label outside [0, K) cannot throw on the device: it makes the loss NaN instead.
#include "kernels/softmax_ce.h"
#include "kernels/cuda_context.h"
#include "kernels/softmax_ce_ops.h"

namespace aws {

static constexpr int kCeThreads = 256;

static __global__ void softmax_ce_kernel(const float* z, const int32_t* labels, int64_t N, int64_t K,
                                         double smoothing, float* loss, float* dz, int32_t* correct,
                                         bool accumulate_only) {
  __shared__ double s_loss[kCeThreads];
  __shared__ int s_right[kCeThreads];
  double l = 0;
  int right = 0;
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x) {
    const int32_t lab = labels[n];
    if (lab < 0 || lab >= K) {
      l = __longlong_as_double(0x7ff8000000000000ll);  // NaN
      continue;
    }
    right += row_argmax(z + n * K, K) == lab;
    if (!accumulate_only) l += softmax_ce_row(z + n * K, K, lab, smoothing, 1.0 / double(N), dz + n * K);
  }
  s_loss[threadIdx.x] = l;
  s_right[threadIdx.x] = right;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      s_loss[threadIdx.x] += s_loss[threadIdx.x + s];
      s_right[threadIdx.x] += s_right[threadIdx.x + s];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    if (accumulate_only) {
      correct[0] += s_right[0];
    } else {
      loss[0] = float(s_loss[0] / double(N));
      correct[0] = s_right[0];
    }
  }
}

void softmax_ce_forward_backward_cuda(Ctx& ctx, const SoftmaxCEParams& p, const SoftmaxCEArgs& a) {
  softmax_ce_kernel<<<1, kCeThreads, 0, stream_of(ctx)>>>(a.logits.f32(), a.labels.i32(), a.logits.dim(0),
                                                          a.logits.dim(1), double(p.label_smoothing), a.loss.f32(),
                                                          a.dlogits.f32(), a.correct.i32(), false);
  AWS_LAUNCH_CHECK(ctx, "softmax_ce_forward_backward");
}

void count_correct_cuda(Ctx& ctx, const CountCorrectArgs& a) {
  softmax_ce_kernel<<<1, kCeThreads, 0, stream_of(ctx)>>>(
      a.logits.f32(), a.labels.i32(), a.logits.dim(0), a.logits.dim(1), 0.0, nullptr, nullptr, a.correct.i32(), true);
  AWS_LAUNCH_CHECK(ctx, "count_correct");
}

}  // namespace aws
