#include "models/memory_plan.h"

#include <cstdio>

#include "core/cuda_buffers.h"

namespace aws {

static std::string mb(size_t b) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f MB", double(b) / 1e6);
  return s;
}

std::string MemoryPlan::str() const {
  return "state " + mb(state) + " + gradients " + mb(gradients) + " + workspace " + mb(workspace) + " + backend " + mb(backend) + " + dataset " +
         mb(dataset) + " = " + mb(total());
}

MemoryPlan plan_memory(const Model& m, Device dev, size_t dataset_bytes) {
  MemoryPlan p;
  p.state = m.state.bytes();
  p.gradients = m.grads.bytes();
  p.workspace = m.work.bytes();
  if (dev == Device::cuda) {
    p.backend = kCudaWorkspaceBytes + kCudaScratchBytes;
    p.dataset = dataset_bytes;
  }
  return p;
}

}  // namespace aws
