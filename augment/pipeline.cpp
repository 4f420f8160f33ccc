// Facade of the fused augmentation pass: plan construction, shape checks, backend dispatch, and the
// pair counts the PPO update needs.
#include "augment/pipeline.h"

#include "engine/core/cuda_dispatch.h"

namespace aws {

AugmentPlan make_augment_plan(const Policy& policy, int h, int w, int c, const Normalization& norm,
                              PlanOptions opt) {
  AWS_ASSERT(h > 0 && w > 0 && (c == 1 || c == 3), "make_augment_plan: bad image size");
  AugmentPlan plan;
  AugmentParams& p = plan.params;
  p.h = h, p.w = w, p.c = c;
  if (!opt.pair_only) {
    p.crop_pad = policy.base.crop_pad;
    p.flip = policy.base.flip;
    p.cutout = cutout_side(policy.base.cutout, h, w);
  }
  p.alphabet = policy.alphabet;
  if (policy.alphabet > 0) {
    AWS_ASSERT(policy.probs.size() == size_t(policy.alphabet) * policy.alphabet, "policy probs size");
    plan.cdf = make_cdf(policy.probs);
  }
  plan.norm = norm;
  return plan;
}

static void check_batch(const char* op, const Tensor& images_u8, const int32_t* indices, int n, const Tensor& out) {
  check_rank(op, "images", images_u8, 4);
  check_dtype(op, "images", images_u8, DType::u8);
  check_dtype(op, "out", out, DType::f32);
  const Shape& s = images_u8.shape;
  check_shape(op, "out", out, Shape{n, s[1], s[2], s[3]});
  check_same_device(op, images_u8, out);
  if (n > 0 && indices == nullptr) throw Error(std::string(op) + ": indices is null");
  for (int b = 0; b < n; ++b)
    if (indices[b] < 0 || indices[b] >= s[0])
      throw Error(std::string(op) + ": indices[" + std::to_string(b) + "] = " + std::to_string(indices[b]) +
                  " outside [0, " + std::to_string(s[0]) + ")");
}

void augment_batch(Ctx& ctx, const AugmentPlan& plan, const Tensor& images_u8, const int32_t* indices, int n,
                   const RngKey& key, Tensor& out_f32, ImageDraws* draws) {
  check_batch("augment_batch", images_u8, indices, n, out_f32);
  const AugmentParams& p = plan.params;
  if (images_u8.dim(1) != p.h || images_u8.dim(2) != p.w || images_u8.dim(3) != p.c)
    throw Error("augment_batch: images are " + images_u8.shape.str() + " but the plan was made for " +
                std::to_string(p.h) + "x" + std::to_string(p.w) + "x" + std::to_string(p.c));
  if (ctx.is_cuda()) return AWS_CUDA_CALL(augment_batch_cuda, (ctx, plan, images_u8, indices, n, key, out_f32, draws));
  augment_batch_cpu(ctx, plan, images_u8, indices, n, key, out_f32, draws);
}

void normalize_batch(Ctx& ctx, const Tensor& images_u8, const int32_t* indices, int n, const Normalization& norm,
                     Tensor& out_f32) {
  check_batch("normalize_batch", images_u8, indices, n, out_f32);
  if (images_u8.dim(3) != 1 && images_u8.dim(3) != 3) throw Error("normalize_batch: images must have 1 or 3 channels");
  if (ctx.is_cuda()) return AWS_CUDA_CALL(normalize_batch_cuda, (ctx, images_u8, indices, n, norm, out_f32));
  normalize_batch_cpu(ctx, images_u8, indices, n, norm, out_f32);
}

void count_pairs(const ImageDraws* draws, int n, int64_t* counts) {
  for (int b = 0; b < n; ++b)
    if (draws[b].pair >= 0) counts[draws[b].pair] += 1;
}

}  // namespace aws
