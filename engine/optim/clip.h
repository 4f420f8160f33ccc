// Gradient-norm clipping with torch.nn.utils.clip_grad_norm_ semantics: the total 2-norm over every
// gradient, and scale = min(1, max_norm / (norm + 1e-6)). The gradients are not rewritten: the norm
// and the scale are two one-element tensors in the workspace arena, on the gradients' device, and
// the optimizer's step multiplies by the scale inside its update (Optimizer::step's grad_scale).
// On cuda both stay on the device (no host round trip per step); norm() copies it out for logs.
#pragma once
#include "engine/optim/optimizer.h"
#include "kernels/clip.h"

namespace aws {

class GradClip {
 public:
  explicit GradClip(float max_norm);
  // Adds the two scalars to the workspace arena (before it is committed).
  void declare_workspace(Arena& ws);
  // Computes the norm of every grad in `params` and the scale.
  void compute(Ctx& ctx, const ParamList& params);
  // f32[1] scale for Optimizer::step.
  const Tensor& scale() const { return scale_; }
  // The last norm computed, for logs (a copy to the host and a sync on cuda: call it when logging).
  float norm(Ctx& ctx) const;
  float max_norm() const { return max_norm_; }

 private:
  float max_norm_;
  Tensor norm_, scale_;
};

// Backend entry points: write the total norm and the scale into the two f32[1] tensors.
void grad_clip_cpu(Ctx& ctx, const ParamList& params, float max_norm, Tensor& norm, Tensor& scale);

}  // namespace aws
