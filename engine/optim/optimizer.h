// The interface a training loop holds: an optimizer declares its state (momentum buffers, Adam
// moments, step count) in the model's STATE arena before it is committed, so snapshot/restore covers
// it, and then steps without allocating. `grad_scale`, when given, is a one-element f32 tensor on
// the parameters' device (GradClip::scale()) that multiplies every gradient inside the update, so on
// cuda the clipping factor never makes a host round trip. The learning rate is a one-element f32
// tensor on the parameters' device too, read when the update runs: a captured train step (CUDA graph)
// replays with each step's rate without re-capture.
#pragma once
#include "engine/runtime/arena.h"
#include "core/context.h"
#include "core/param_list.h"

namespace aws {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Records the parameter list (kept by value) and adds the state tensors to `state`.
  virtual void declare_state(Arena& state, const ParamList& params) = 0;
  // One update of every parameter with learning rate lr (f32[1] on the parameters' device).
  virtual void step(Ctx& ctx, const Tensor& lr, const Tensor* grad_scale = nullptr) = 0;
};

// Checks a parameter list once (non-null f32 tensors, grad shaped as its param, one device).
void check_params(const char* op, const ParamList& params);
// Checks step()'s scalars: lr (and grad_scale when given) f32[1] on the device of the parameters.
void check_step_scalars(const char* op, const ParamList& params, const Tensor& lr, const Tensor* grad_scale);

}  // namespace aws
