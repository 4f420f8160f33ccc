// Device memory planned before allocation (models/memory_plan.h): issue 6's budget — ResNet-18 at
// batch 256 in the half-precision mode, with SGD momentum, the cuda backend's fixed buffers and the
// resident CIFAR-10 training set, in at most 2 GB — checked from the arena layouts on a machine
// without a GPU (a cuda model's arenas are laid out at construction and allocated only at commit).
#include <doctest/doctest.h>

#include <cstdio>

#include "core/cuda_buffers.h"
#include "engine/optim/sgd.h"
#include "models/memory_plan.h"

namespace aws::test {

namespace {

MemoryPlan resnet18_plan(DType act, int64_t* params = nullptr) {
  ModelSpec spec;
  spec.name = "resnet18", spec.h = 32, spec.w = 32, spec.c = 3, spec.act = act;
  auto m = create_model(spec, 256, Device::cuda);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  sgd.declare_state(m->state, m->params);
  if (params) *params = m->num_params();
  return plan_memory(*m, Device::cuda, size_t(50000) * 32 * 32 * 3);
}

}  // namespace

TEST_CASE("memory plan: ResNet-18 CIFAR at batch 256 in bf16 fits issue 6's 2 GB on cuda") {
  int64_t params = 0;
  const MemoryPlan half = resnet18_plan(DType::bf16, &params);
  const MemoryPlan full = resnet18_plan(DType::f32);
  std::printf("memory plan resnet18 32x32x3 batch 256 cuda, bf16: %s\n", half.str().c_str());
  std::printf("memory plan resnet18 32x32x3 batch 256 cuda, f32:  %s\n", full.str().c_str());
  CHECK(half.total() <= size_t(2000000000));
  // The state holds the f32 parameters and their momentum (plus BN statistics) in both modes.
  CHECK(half.state == full.state);
  CHECK(half.state >= size_t(params) * 8);
  // One f32 gradient per parameter in its own arena, in both modes.
  CHECK(half.gradients == full.gradients);
  CHECK(half.gradients >= size_t(params) * 4);
  // bf16 halves every activation; the bf16 weight copies add 4 bytes per conv weight.
  CHECK(half.workspace < full.workspace * 6 / 10);
  CHECK(half.backend == kCudaWorkspaceBytes + kCudaScratchBytes);
  CHECK(half.dataset == size_t(153600000));
  // Backward gradients share workspace slots where their lives never overlap (models/resnet.cpp):
  // with a buffer per layer the f32 workspace was 1,958.8 MB (and the bf16 total 1,600.7 MB).
  CHECK(full.workspace < size_t(1600000000));
  CHECK(half.total() < size_t(1450000000));
}

TEST_CASE("memory plan: the cpu backend counts only the arenas") {
  ModelSpec spec;
  auto m = create_model(spec, 128, Device::cpu);
  const MemoryPlan p = plan_memory(*m, Device::cpu, 1000);
  CHECK(p.backend == 0);
  CHECK(p.dataset == 0);
  CHECK(p.total() == m->state.bytes() + m->grads.bytes() + m->work.bytes());
}

}  // namespace aws::test
