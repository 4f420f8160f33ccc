// Device memory: the only cudaMalloc/cudaFree in the engine (each counted), and copies and fills on
// the context's stream.
#include <atomic>
#include <string>

#include "kernels/memory.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {
std::atomic<uint64_t> g_alloc_count;  // a statistic, not state any computation depends on
}

void* mem_alloc_cuda(size_t bytes) {
  g_alloc_count++;
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, bytes ? bytes : 256);  // cudaMalloc is 256-byte aligned
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw Error("out of GPU memory allocating " + std::to_string(bytes) + " bytes: " + cudaGetErrorString(e));
  }
  return p;
}

uint64_t mem_alloc_count_cuda() { return g_alloc_count.load(); }

void mem_free_cuda(void* p) { CUDA_CHECK(cudaFree(p)); }

void mem_copy_cuda(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind) {
  cudaMemcpyKind k = kind == CopyKind::host_to_dev  ? cudaMemcpyHostToDevice
                     : kind == CopyKind::dev_to_host ? cudaMemcpyDeviceToHost
                                                     : cudaMemcpyDeviceToDevice;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, k, stream_of(ctx)));
  // Host memory is plain (pageable): wait, so the caller may reuse or read it right away.
  if (kind != CopyKind::dev_to_dev) CUDA_CHECK(cudaStreamSynchronize(stream_of(ctx)));
}

void mem_zero_cuda(Ctx& ctx, void* p, size_t bytes) { CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, stream_of(ctx))); }

}  // namespace aws
