// Device memory entry points of the cuda backend (kernels/memory.cu): the only cudaMalloc/cudaFree in
// the engine. engine/runtime/memory.h is the facade over both backends; kernels that need device
// buffers of their own (the context's workspace, the step staging buffer) call these directly.
#pragma once
#include <cstddef>
#include <cstdint>

namespace aws {

struct Ctx;

enum class CopyKind { host_to_dev, dev_to_host, dev_to_dev };

void* mem_alloc_cuda(size_t bytes);  // 256-byte aligned; throws on failure; counted
void mem_free_cuda(void* p);
uint64_t mem_alloc_count_cuda();     // mem_alloc_cuda calls in this process
void mem_copy_cuda(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind);
void mem_zero_cuda(Ctx& ctx, void* p, size_t bytes);

}  // namespace aws
