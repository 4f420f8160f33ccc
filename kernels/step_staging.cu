// StepStaging on cuda (engine/graph/step_staging.h): two pinned host buffers used in turn, one event
// per buffer recorded after the copy that reads it, one device buffer (through mem_alloc_cuda, so the
// tests' device allocation counter sees it). All allocated at construction.
#include "kernels/cuda_context.h"
#include "kernels/memory.h"
#include "kernels/step_staging.h"

namespace aws {

struct StagingState {
  size_t bytes = 0;
  void* host[2] = {nullptr, nullptr};
  cudaEvent_t read[2] = {nullptr, nullptr};  // recorded after the copy that reads host[i]
  bool pending[2] = {false, false};
  int cur = 0;
  void* dev = nullptr;
};

StagingState* cuda_staging_create(size_t bytes) {
  auto* s = new StagingState;
  s->bytes = bytes;
  try {
    for (int i = 0; i < 2; ++i) {
      CUDA_CHECK(cudaHostAlloc(&s->host[i], bytes, cudaHostAllocDefault));
      CUDA_CHECK(cudaEventCreateWithFlags(&s->read[i], cudaEventDisableTiming));
    }
    s->dev = mem_alloc_cuda(bytes);
  } catch (...) {
    cuda_staging_destroy(s);
    throw;
  }
  return s;
}

void cuda_staging_destroy(StagingState* s) {
  if (!s) return;
  for (int i = 0; i < 2; ++i) {
    if (s->read[i]) {
      cudaEventSynchronize(s->read[i]);  // no copy may still read the buffer we free
      cudaEventDestroy(s->read[i]);
    }
    if (s->host[i]) cudaFreeHost(s->host[i]);
  }
  if (s->dev) mem_free_cuda(s->dev);
  delete s;
}

void* cuda_staging_host(StagingState* s) {
  if (s->pending[s->cur]) {
    CUDA_CHECK(cudaEventSynchronize(s->read[s->cur]));
    s->pending[s->cur] = false;
  }
  return s->host[s->cur];
}

void cuda_staging_upload(Ctx& ctx, StagingState* s) {
  CUDA_CHECK(cudaMemcpyAsync(s->dev, s->host[s->cur], s->bytes, cudaMemcpyHostToDevice, stream_of(ctx)));
  CUDA_CHECK(cudaEventRecord(s->read[s->cur], stream_of(ctx)));
  s->pending[s->cur] = true;
  s->cur ^= 1;
}

void* cuda_staging_device(const StagingState* s) { return s->dev; }

}  // namespace aws
