// The cuda backend's per-context state (kernels/cuda_context.cu) as the engine sees it: opaque, made
// and released by engine/runtime/context.cpp through AWS_CUDA_CALL. Launchers read it through
// kernels/cuda_context.h.
#pragma once

namespace aws {

struct CudaState;

CudaState* cuda_state_create();
void cuda_state_destroy(CudaState* s);
void cuda_sync(CudaState* s);

}  // namespace aws
