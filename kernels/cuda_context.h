// CudaState: everything the cuda backend keeps per context (core/context.h holds it opaque):
// the stream every op runs on, the cuDNN and cuBLASLt handles, one workspace allocated once and
// shared by cuDNN and cuBLASLt (ops run in stream order, so they never overlap), a reduction scratch
// buffer, and the per-shape plan caches. Included only by kernels/*.cu.
#pragma once
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "core/context.h"
#include "core/cuda_buffers.h"  // kCudaWorkspaceBytes, kCudaScratchBytes
#include "kernels/cuda_check.h"

namespace aws {

// A convolution shape; the key of its cached cuDNN plan (descriptors + chosen algorithms).
struct ConvKey {
  std::array<int, 11> v{};  // n, h, w, c, k, r, s, stride, pad, dtype, math mode
  bool operator<(const ConvKey& o) const { return v < o.v; }
};

struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  // Chosen once per direction, by timing (cudnnFind*Ex) on first use; -1 = not chosen yet.
  int fwd = -1, bwd_data = -1, bwd_filter = -1;
  size_t fwd_ws = 0, bwd_data_ws = 0, bwd_filter_ws = 0;
  // The math type each chosen algorithm was timed with (set on `conv` before each call).
  cudnnMathType_t fwd_math = CUDNN_FMA_MATH, bwd_data_math = CUDNN_FMA_MATH, bwd_filter_math = CUDNN_FMA_MATH;
  ~ConvPlan();
};

// A linear-layer GEMM; key: (m, n, k, transa, transb, bias epilogue, math mode).
struct GemmKey {
  std::array<int, 7> v{};
  bool operator<(const GemmKey& o) const { return v < o.v; }
};

struct GemmPlan {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t ws = 0;
  ~GemmPlan();
};

// A device buffer that only grows (mem_alloc_cuda counts each growth), for small per-call data such as the
// augmentation's sampling table (kernels/augment.cu): after the first call of a given size nothing
// is allocated.
struct GrowBuffer {
  void* p = nullptr;
  size_t bytes = 0;
};

struct CudaState {
  int device = 0;
  cudaDeviceProp prop{};
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasLtHandle_t lt = nullptr;
  bool sync_debug = false;  // AWS_SYNC_DEBUG=1: synchronize after every op

  void* workspace = nullptr;  // cuDNN + cuBLASLt workspace, allocated once (mem_alloc_cuda)
  size_t workspace_bytes = 0;
  void* scratch = nullptr;    // per-op reduction partials (BN statistics), allocated once
  size_t scratch_bytes = 0;

  std::map<ConvKey, std::unique_ptr<ConvPlan>> conv_plans;
  std::map<GemmKey, std::unique_ptr<GemmPlan>> gemm_plans;
};

// Makes b hold at least `bytes` (frees and reallocates through mem_alloc_cuda only when it must grow).
void grow_buffer(GrowBuffer& b, size_t bytes);
void free_buffer(GrowBuffer& b);

inline cudaStream_t stream_of(Ctx& ctx) { return ctx.cuda->stream; }

// Grid size for a grid-stride loop over n items with `block` threads (capped; the loop covers the rest).
inline unsigned grid_for(int64_t n, int block = 256) {
  int64_t g = (n + block - 1) / block;
  if (g < 1) g = 1;
  if (g > 65535 * 8) g = 65535 * 8;
  return unsigned(g);
}

}  // namespace aws
