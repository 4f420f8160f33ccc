#include "engine/optim/clip.h"

#include "core/cuda_dispatch.h"
#include "engine/runtime/memory.h"

namespace aws {

GradClip::GradClip(float max_norm) : max_norm_(max_norm) {
  if (!(max_norm > 0.f)) throw UserError("gradient clipping: max norm " + std::to_string(max_norm) + " must be > 0");
}

void GradClip::declare_workspace(Arena& ws) {
  ws.add(&norm_, Shape{1}, DType::f32);
  ws.add(&scale_, Shape{1}, DType::f32);
}

void GradClip::compute(Ctx& ctx, const ParamList& params) {
  AWS_ASSERT(norm_.data && scale_.data, "gradient clipping: workspace not committed");
  for (const ParamRef& r : params) {
    AWS_ASSERT(r.grad, "gradient clipping: parameter '" + r.name + "' has no gradient");
    check_dtype("grad_clip", r.name.c_str(), *r.grad, DType::f32);
    AWS_ASSERT(r.grad->device == norm_.device, "gradient clipping: grads on another device");
  }
  if (ctx.is_cuda()) return AWS_CUDA_CALL(grad_clip_cuda, (ctx, params, max_norm_, norm_, scale_));
  grad_clip_cpu(ctx, params, max_norm_, norm_, scale_);
}

float GradClip::norm(Ctx& ctx) const {
  float v = 0.f;
  if (!ctx.is_cuda()) return norm_.f32()[0];
  mem_copy(ctx, &v, norm_.data, sizeof v, CopyKind::dev_to_host);
  ctx.sync();
  return v;
}

}  // namespace aws
