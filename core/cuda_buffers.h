// Sizes of the buffers the cuda backend allocates once per context (kernels/cuda_context.cu): the
// workspace cuDNN and cuBLASLt share, and the reduction scratch (BN partial sums). They live here,
// outside kernels/, so that a memory plan (models/memory_plan.h) can count them without CUDA.
#pragma once
#include <cstddef>

namespace aws {

inline constexpr size_t kCudaWorkspaceBytes = size_t(256) << 20;  // ≥ 128 MB: tensor-core algos need room
inline constexpr size_t kCudaScratchBytes = size_t(16) << 20;

}  // namespace aws
