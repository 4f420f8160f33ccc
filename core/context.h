// The device context: the only mutable state shared by ops. It names the backend and owns the
// backend's handles (cuda stream, cuDNN/cuBLASLt handles, oneDNN engine and primitive cache), which
// are opaque here so that engine headers never include CUDA or oneDNN. Declared on the floor because
// every launcher takes it; made and released by engine/runtime/context.cpp.
#pragma once
#include <memory>

#include "core/device.h"

namespace aws {

struct CudaState;  // kernels/cuda_context.h
struct DnnlState;  // engine/ops/dnnl_state.h

struct Ctx {
  Device device = Device::cpu;
  int gpu = 0;                     // cuda: the GPU's index (--device cuda:N)
  int threads = 1;                 // cpu worker threads (OpenMP and oneDNN)
  CudaState* cuda = nullptr;       // owned; set when device == cuda
  DnnlState* dnnl = nullptr;       // owned; lazily created by the oneDNN convolution path
  void (*dnnl_free)(DnnlState*) = nullptr;  // set by whoever creates `dnnl`
  // cuda matmul/convolution precision: strict = fp32 FMA math (the default; what the gpu op tests
  // check); tf32 = tensor cores with TF32 inputs (10-bit mantissa), fp32 accumulation. cpu ignores it.
  enum class MathMode { strict, tf32 } math = MathMode::strict;

  // Creates the context; for cuda, fails with a clear message when the backend is not built or no
  // usable GPU/driver is present. threads <= 0 means all hardware threads.
  explicit Ctx(DeviceSpec dev, int threads = 0);
  ~Ctx();
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;

  bool is_cuda() const { return device == Device::cuda; }
  void sync();  // waits for all queued work (cuda); no-op on cpu
};

}  // namespace aws
