#include "engine/runtime/memory.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/context.h"
#include "core/cuda_dispatch.h"
#include "core/error.h"

namespace aws {

namespace {
std::atomic<uint64_t> g_host_alloc_count;  // a statistic, not state any computation depends on
}

void* mem_alloc(Device dev, size_t bytes) {
  if (dev == Device::cuda) return AWS_CUDA_CALL(mem_alloc_cuda, (bytes));
  g_host_alloc_count++;
  size_t rounded = (bytes + 255) / 256 * 256;
  void* p = std::aligned_alloc(256, rounded ? rounded : 256);
  if (!p) throw Error("out of host memory allocating " + std::to_string(bytes) + " bytes");
  return p;
}

void mem_free(Device dev, void* p) {
  if (!p) return;
  if (dev == Device::cuda) return AWS_CUDA_CALL(mem_free_cuda, (p));
  std::free(p);
}

uint64_t mem_alloc_count(Device dev) {
  if (dev == Device::cpu) return g_host_alloc_count.load();
  return cuda_built() ? AWS_CUDA_CALL(mem_alloc_count_cuda, ()) : 0;
}

void mem_copy(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind) {
  if (bytes == 0) return;
  if (ctx.device == Device::cuda) return AWS_CUDA_CALL(mem_copy_cuda, (ctx, dst, src, bytes, kind));
  std::memcpy(dst, src, bytes);
}

void mem_zero(Ctx& ctx, void* p, size_t bytes) {
  if (bytes == 0) return;
  if (ctx.device == Device::cuda) return AWS_CUDA_CALL(mem_zero_cuda, (ctx, p, bytes));
  std::memset(p, 0, bytes);
}

}  // namespace aws
