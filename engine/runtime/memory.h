// Every allocation of tensor memory goes through these functions (host or device), so that tests can
// count them, and every copy between or within devices goes through mem_copy. The cuda versions live
// in kernels/memory.cu (kernels/memory.h); the cpu ones in memory.cpp.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/device.h"
#include "kernels/memory.h"

namespace aws {

struct Ctx;

void* mem_alloc(Device dev, size_t bytes);  // 256-byte aligned; throws on failure
void mem_free(Device dev, void* p);
// Number of allocations on `dev` in this process (device ones are counted by kernels/memory.cu because
// no interposer can see cudaMalloc; host ones are also caught by the tests' malloc interposer).
uint64_t mem_alloc_count(Device dev);

// Copies on ctx's stream (cuda) or with memcpy (cpu). Host pointers are plain host memory.
void mem_copy(Ctx& ctx, void* dst, const void* src, size_t bytes, CopyKind kind);
void mem_zero(Ctx& ctx, void* p, size_t bytes);

}  // namespace aws
