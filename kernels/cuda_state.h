// The cuda backend's per-context state (kernels/cuda_context.cu) as the engine sees it: opaque, made
// and released by engine/runtime/context.cpp through AWS_CUDA_CALL. Launchers read it through
// kernels/cuda_context.h.
#pragma once

namespace aws {

struct CudaState;

// Binds GPU `gpu` (UserError naming --device when it does not exist) and makes its stream and handles.
CudaState* cuda_state_create(int gpu);
void cuda_state_destroy(CudaState* s);
void cuda_sync(CudaState* s);

// Streams as raw cudaStream_t handles (engine/runtime/stream.h). swap: the context's launches go to
// `stream` until swapped back (the cuDNN/cuBLASLt handles stay bound to the context's own stream, so
// only handle-free work, such as the augmentation pass, may run meanwhile); returns the previous one.
void* cuda_state_swap_stream(CudaState* s, void* stream);
void cuda_stream_synchronize(void* stream);
// Makes the context's GPU current for the calling thread (cudaSetDevice).
void cuda_state_bind_device(CudaState* s);

}  // namespace aws
