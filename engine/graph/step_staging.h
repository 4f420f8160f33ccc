// Per-step inputs uploaded in ONE copy: the host fills a staging buffer, upload() queues one
// host→device copy into a fixed device buffer that the step (run eagerly or replayed from a CUDA
// graph, engine/graph/cuda_graph.h) reads at run time. On cuda the host side is two pinned buffers
// used in turn, with an event recorded after each copy: host() waits only for the copy that last read
// the buffer it hands out (two steps back), never for the step itself, so the host stays ahead of
// the GPU and never overwrites bytes an in-flight copy still reads. The copy and the device buffer
// are stream-ordered after the previous step, which reads the same device buffer.
// On the cpu there is one host buffer, device() is that buffer and upload() does nothing.
// Everything is allocated in the constructor.
#pragma once
#include <cstddef>

#include "core/context.h"
#include "kernels/step_staging.h"

namespace aws {

class StepStaging {
 public:
  StepStaging(Ctx& ctx, size_t bytes);
  ~StepStaging();
  StepStaging(const StepStaging&) = delete;
  StepStaging& operator=(const StepStaging&) = delete;

  // The host buffer to fill for the next upload (cuda: waits for the copy that last read it).
  void* host();
  // Queues the copy of the current host buffer into device() on ctx's stream; the next host() is the
  // other buffer. Must not run inside a graph capture (it is the part that changes per step).
  void upload(Ctx& ctx);
  void* device() const;
  size_t bytes() const { return bytes_; }
  Device device_kind() const { return dev_; }

 private:
  Device dev_;
  size_t bytes_;
  void* cpu_ = nullptr;            // cpu backend: the one buffer
  StagingState* cuda_ = nullptr;   // cuda backend
};

}  // namespace aws
