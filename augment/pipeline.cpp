// Facade of the fused augmentation pass: plan construction, shape checks, backend dispatch, and the
// pair counts the PPO update needs.
#include "augment/pipeline.h"

#include "core/cuda_dispatch.h"

namespace aws {

AugmentPlan make_augment_plan(const Policy& policy, int h, int w, int c, const Normalization& norm,
                              PlanOptions opt) {
  AWS_ASSERT(h > 0 && w > 0 && (c == 1 || c == 3), "make_augment_plan: bad image size");
  AugmentPlan plan;
  AugmentParams& p = plan.params;
  p.h = h, p.w = w, p.c = c;
  if (!opt.pair_only) {
    p.crop_pad = opt.cropped_upstream ? 0 : policy.base.crop_pad;
    p.flip = !opt.cropped_upstream && policy.base.flip;
    p.cutout = cutout_side(policy.base.cutout, h, w);
  }
  p.alphabet = policy.alphabet;
  if (policy.alphabet > 0) {
    AWS_ASSERT(policy.probs.size() == size_t(policy.alphabet) * policy.alphabet, "policy probs size");
    plan.cdf = make_cdf(policy.probs);
  }
  plan.norm = norm;
  plan.norm_table = make_norm_table(norm.mean, norm.std, c);
  return plan;
}

// Shapes, dtypes and devices; on the cpu also every index (device indices are the caller's to check).
// out is f32, or also u8 where `u8_out` (augment_batch's pixel output).
static int check_batch(const char* op, const Tensor& images_u8, const Tensor& indices, const Tensor& out,
                       ImageRows rows, bool u8_out = false) {
  check_rank(op, "images", images_u8, 4);
  check_dtype(op, "images", images_u8, DType::u8);
  check_rank(op, "indices", indices, 1);
  check_dtype(op, "indices", indices, DType::i32);
  if (!(u8_out && out.dtype == DType::u8)) check_dtype(op, "out", out, DType::f32);
  const int n = int(indices.numel());
  const Shape& s = images_u8.shape;
  check_shape(op, "out", out, Shape{n, s[1], s[2], s[3]});
  check_same_device(op, images_u8, out);
  check_same_device(op, images_u8, indices);
  if (n > 0 && indices.data == nullptr) throw Error(std::string(op) + ": indices is null");
  if (rows == ImageRows::in_order && n > s[0])
    throw Error(std::string(op) + ": a batch of " + std::to_string(n) + " images in order, but images holds " +
                std::to_string(s[0]));
  if (rows == ImageRows::by_index && indices.device == Device::cpu)
    for (int b = 0; b < n; ++b)
      if (indices.i32()[b] < 0 || indices.i32()[b] >= s[0])
        throw Error(std::string(op) + ": indices[" + std::to_string(b) + "] = " + std::to_string(indices.i32()[b]) +
                    " outside [0, " + std::to_string(s[0]) + ")");
  return n;
}

void augment_batch(Ctx& ctx, const AugmentPlan& plan, const AugmentBatchArgs& a) {
  const int n = check_batch("augment_batch", a.images, a.indices, a.out, a.rows, true);
  const AugmentParams& p = plan.params;
  if (a.images.dim(1) != p.h || a.images.dim(2) != p.w || a.images.dim(3) != p.c)
    throw Error("augment_batch: images are " + a.images.shape.str() + " but the plan was made for " +
                std::to_string(p.h) + "x" + std::to_string(p.w) + "x" + std::to_string(p.c));
  int32_t* counts = nullptr;
  if (a.pair_counts) {
    check_shape("augment_batch", "pair_counts", *a.pair_counts, Shape{kPairs});
    check_dtype("augment_batch", "pair_counts", *a.pair_counts, DType::i32);
    check_same_device("augment_batch", a.images, *a.pair_counts);
    counts = a.pair_counts->i32();
  }
  AugmentPassArgs pass;
  pass.params = p;
  pass.cdf = plan.cdf.empty() ? nullptr : plan.cdf.data();
  pass.norm = &plan.norm_table;
  pass.images = a.images.u8();
  pass.in_order = a.rows == ImageRows::in_order;
  pass.indices = a.indices.i32();
  pass.n = n;
  pass.stream = rng_stream(a.key);
  if (a.out.dtype == DType::u8) pass.out_u8 = a.out.u8();
  else pass.out = a.out.f32();
  pass.draws = a.draws;
  pass.pair_counts = counts;
  if (!ctx.is_cuda()) return augment_batch_cpu(ctx, plan.scratch, pass);
  std::shared_ptr<AugmentDeviceCache> own;
  share_device_cache(ctx, plan, own);
  AWS_CUDA_CALL(augment_batch_cuda, (ctx, *plan.device, pass));
}

void share_device_cache(Ctx& ctx, const AugmentPlan& plan, std::shared_ptr<AugmentDeviceCache>& cache) {
  if (!ctx.is_cuda() || plan.device) return;
  if (!cache)
    cache.reset(AWS_CUDA_CALL(augment_cache_create, ()),
                [](AugmentDeviceCache* c) { AWS_CUDA_CALL(augment_cache_destroy, (c)); });
  plan.device = cache;
}

void normalize_batch(Ctx& ctx, const Normalization& norm, const NormalizeBatchArgs& a) {
  const int n = check_batch("normalize_batch", a.images, a.indices, a.out, a.rows);
  if (a.images.dim(3) != 1 && a.images.dim(3) != 3) throw Error("normalize_batch: images must have 1 or 3 channels");
  const int c = int(a.images.dim(3));
  const NormTable table = make_norm_table(norm.mean, norm.std, c);
  AugmentPassArgs pass;
  pass.params.h = int(a.images.dim(1)), pass.params.w = int(a.images.dim(2)), pass.params.c = c;
  pass.norm = &table;
  pass.images = a.images.u8();
  pass.in_order = a.rows == ImageRows::in_order;
  pass.indices = a.indices.i32();
  pass.n = n;
  pass.out = a.out.f32();
  if (ctx.is_cuda()) return AWS_CUDA_CALL(normalize_batch_cuda, (ctx, pass));
  normalize_batch_cpu(ctx, pass);
}

void count_pairs(const ImageDraws* draws, int n, int64_t* counts) {
  for (int b = 0; b < n; ++b)
    if (draws[b].pair >= 0) counts[draws[b].pair] += 1;
}

}  // namespace aws
