// A caller's cuda stream, for code that serves other frameworks (python/awsaug.cpp): run a context's
// work on a stream the caller names (a raw cudaStream_t; nullptr is the legacy default stream) for one
// scope, and wait for a stream. cuda only: in a cpu build both throw "built without the cuda backend".
#pragma once
#include "core/context.h"

namespace aws {

// While alive, ctx's launches go to `stream`. Only handle-free work may run in the scope (kernels and
// copies: the augmentation pass), because cuDNN/cuBLASLt stay bound to the context's own stream.
class ScopedStream {
 public:
  ScopedStream(Ctx& ctx, void* stream);
  ~ScopedStream();
  ScopedStream(const ScopedStream&) = delete;
  ScopedStream& operator=(const ScopedStream&) = delete;

 private:
  Ctx& ctx_;
  void* previous_;
};

// Makes ctx's GPU the calling thread's current device (allocations and launches go there).
void bind_device(Ctx& ctx);

// Blocks the host until all work queued on `stream` has run.
void stream_synchronize(void* stream);

}  // namespace aws
