// The cuda backend's context: device checks, stream and library handles, the one workspace, and the
// error reporting shared by every kernel file (cuda_check.h).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/cuda_state.h"
#include "kernels/memory.h"

namespace aws {

void cuda_fail(const char* lib, const char* call, const char* file, int line, int code, const char* msg) {
  throw Error(std::string(lib) + " error " + std::to_string(code) + " (" + (msg ? msg : "?") + ") in " +
              call + " at " + file + ":" + std::to_string(line));
}

void cuda_launch_check(Ctx& ctx, const char* op, const char* file, int line) {
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess && ctx.cuda && ctx.cuda->sync_debug) e = cudaStreamSynchronize(ctx.cuda->stream);
  if (e != cudaSuccess)
    throw Error(std::string("cuda kernel of op '") + op + "' failed: " + cudaGetErrorString(e) + " (" + file +
                ":" + std::to_string(line) + (ctx.cuda && ctx.cuda->sync_debug ? ", AWS_SYNC_DEBUG=1" : "") + ")");
}

ConvPlan::~ConvPlan() {
  if (x) cudnnDestroyTensorDescriptor(x);
  if (y) cudnnDestroyTensorDescriptor(y);
  if (w) cudnnDestroyFilterDescriptor(w);
  if (conv) cudnnDestroyConvolutionDescriptor(conv);
}

GemmPlan::~GemmPlan() {
  if (a) cublasLtMatrixLayoutDestroy(a);
  if (b) cublasLtMatrixLayoutDestroy(b);
  if (c) cublasLtMatrixLayoutDestroy(c);
  if (op) cublasLtMatmulDescDestroy(op);
}

void grow_buffer(GrowBuffer& b, size_t bytes) {
  if (bytes <= b.bytes && b.p) return;
  free_buffer(b);
  b.p = mem_alloc_cuda(bytes);
  b.bytes = bytes;
}

void free_buffer(GrowBuffer& b) {
  if (b.p) mem_free_cuda(b.p);
  b.p = nullptr;
  b.bytes = 0;
}

CudaState* cuda_state_create(int gpu) {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    cudaGetLastError();  // clear the sticky "no device" state for later probes
    std::string why = e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device found";
    throw UserError("--device cuda: no usable GPU (" + why +
                    "); run on a machine with an NVIDIA GPU and driver, or use --device cpu");
  }
  auto s = std::make_unique<CudaState>();
  s->device = gpu;
  if (gpu < 0 || gpu >= count)
    throw UserError("--device cuda:" + std::to_string(gpu) + ": only " + std::to_string(count) +
                    " GPU(s) present (indices 0.." + std::to_string(count - 1) + ")");
  CUDA_CHECK(cudaSetDevice(s->device));
  CUDA_CHECK(cudaGetDeviceProperties(&s->prop, s->device));
  const char* dbg = std::getenv("AWS_SYNC_DEBUG");
  s->sync_debug = dbg && std::strcmp(dbg, "0") != 0 && dbg[0] != '\0';
  CUDA_CHECK(cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking));
  CUDNN_CHECK(cudnnCreate(&s->cudnn));
  CUDNN_CHECK(cudnnSetStream(s->cudnn, s->stream));
  CUBLAS_CHECK(cublasLtCreate(&s->lt));
  // Both buffers through mem_alloc_cuda so the tests' device allocation counter sees them.
  s->workspace_bytes = kCudaWorkspaceBytes;
  s->workspace = mem_alloc_cuda(s->workspace_bytes);
  s->scratch_bytes = kCudaScratchBytes;
  s->scratch = mem_alloc_cuda(s->scratch_bytes);
  return s.release();
}

void cuda_state_destroy(CudaState* s) {
  if (!s) return;
  cudaStreamSynchronize(s->stream);
  s->conv_plans.clear();
  s->gemm_plans.clear();
  mem_free_cuda(s->workspace);
  mem_free_cuda(s->scratch);
  if (s->lt) cublasLtDestroy(s->lt);
  if (s->cudnn) cudnnDestroy(s->cudnn);
  if (s->stream) cudaStreamDestroy(s->stream);
  delete s;
}

void cuda_sync(CudaState* s) { CUDA_CHECK(cudaStreamSynchronize(s->stream)); }

void* cuda_state_swap_stream(CudaState* s, void* stream) {
  void* prev = s->stream;
  s->stream = static_cast<cudaStream_t>(stream);
  return prev;
}

void cuda_state_bind_device(CudaState* s) { CUDA_CHECK(cudaSetDevice(s->device)); }

void cuda_stream_synchronize(void* stream) { CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream))); }

}  // namespace aws
