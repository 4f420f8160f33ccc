// Every allocation of tensor memory goes through these functions (host or device), so that tests can
// count them, and every copy between or within devices goes through mem_copy. The cuda versions live
// in kernels/memory.cu; the cpu ones in memory.cpp.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/core/device.h"

namespace aws {

struct Ctx;

void* mem_alloc(Device dev, size_t bytes);  // 256-byte aligned; throws on failure
void mem_free(Device dev, void* p);
// Number of mem_alloc calls on `dev` in this process (device allocations are counted here because no
// interposer can see cudaMalloc; host allocations are also caught by the tests' malloc interposer).
uint64_t mem_alloc_count(Device dev);

enum class CopyKind { host_to_dev, dev_to_host, dev_to_dev };
// Copies on ctx's stream (cuda) or with memcpy (cpu). Host pointers are plain host memory.
void mem_copy(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind);
void mem_zero(Ctx& ctx, void* p, size_t bytes);

// cuda backend entry points (kernels/memory.cu), reached through AWS_CUDA_CALL.
void* mem_alloc_cuda(size_t bytes);
void mem_free_cuda(void* p);
void mem_copy_cuda(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind);
void mem_zero_cuda(Ctx& ctx, void* p, size_t bytes);

}  // namespace aws
