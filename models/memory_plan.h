// The device memory of one training instance, known before anything is allocated: the model's three
// arenas are laid out at construction (plus whatever the optimizer declared), the backend's buffers
// have fixed sizes and the dataset stays resident. `aws bench train-step` prints it; a unit test holds
// ResNet-18 at batch 256 in the half-precision mode under issue 6's 2 GB, on a machine without a GPU.
#pragma once
#include <cstddef>
#include <string>

#include "models/model.h"

namespace aws {

struct MemoryPlan {
  size_t state = 0;      // parameters, BN statistics, optimizer state
  size_t gradients = 0;  // f32 parameter gradients (one contiguous arena)
  size_t workspace = 0;  // activations, bf16 weight copies and their gradients, I/O buffers
  size_t backend = 0;    // cuda: cuDNN/cuBLASLt workspace + reduction scratch; cpu: 0 (oneDNN allocates its own)
  size_t dataset = 0;    // the resident uint8 images (cuda); 0 on the cpu, where they are not copied
  size_t total() const { return state + gradients + workspace + backend + dataset; }
  std::string str() const;  // "state 44.7 MB + gradients 44.7 MB + workspace 1.1 GB + ... = 1.6 GB"
};

MemoryPlan plan_memory(const Model& m, Device dev, size_t dataset_bytes);

}  // namespace aws
