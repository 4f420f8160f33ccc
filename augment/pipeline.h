// The fused batch augmentation pass (SPEC.md §3): uint8 NHWC images + indices + RNG keys in, the
// network's normalized float input out, per image in one pass:
//   pad-crop → flip → pair-op (i, j) → /255 → Cutout → normalize.
// Every draw comes from Philox keyed by the RngKey stream with counter (dataset index, slot), one
// fixed slot per draw (kernels/augment_image_ops.h), so an image's augmentation in an epoch does not
// depend on batch size, batch position or thread count. Facade: checks shapes, dispatches by backend.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "augment/policy.h"
#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "engine/data/dataset.h"
#include "kernels/augment.h"

namespace aws {

// A policy prepared for one image size: sampling table, base augmentation in pixels, normalization
// (and its table), per-thread scratch images on the cpu (allocated once, grown only if more threads
// appear) and the device copies on cuda (created on first use). A plan is used by one caller at a
// time; copies share the device cache.
struct AugmentPlan {
  AugmentParams params;        // sizes, crop pad, flip, cutout side, alphabet, flags
  std::vector<uint64_t> cdf;   // alphabet² entries (empty without a pair-op)
  Normalization norm;
  NormTable norm_table;        // norm as both passes read it
  mutable std::vector<uint8_t> scratch;  // cpu: 2 images per thread
  mutable std::shared_ptr<AugmentDeviceCache> device;  // cuda: the cdf and draws on the device
};

struct PlanOptions {
  bool pair_only = false;  // P_AV: pair-op only (no crop, flip or cutout), then /255 and normalize
  // The images come cropped and flipped (a streamed source's RandomResizedCrop): no pad-crop, no flip.
  bool cropped_upstream = false;
};

AugmentPlan make_augment_plan(const Policy& policy, int h, int w, int c, const Normalization& norm,
                              PlanOptions opt = {});

// Where image b of a batch sits in images_u8: at row indices[b] (the resident dataset), or at row b
// (a batch a streamed source gathered in order, train/batch_source.h). Either way indices[b] is the
// image's dataset index, which keys its draws: a gathered batch augments exactly as the resident one.
enum class ImageRows { by_index, in_order };

// out[b] = augmented, normalized image b (see ImageRows) for b < n = indices.numel().
// images: [N,H,W,C] u8; indices: i32[n] on the images' device (read at run time, so a captured step
// reads a new batch from the same buffer; range-checked here on the cpu; on cuda the caller checks the
// host copy before uploading, as StepInputs::stage does); key: the epoch's draws; out: [n,H,W,C] f32,
// or u8 for the augmented pixels themselves (before /255 and normalization; Cutout writes 0).
// draws (optional, host) receives n records: on cuda that is a copy back and a stream sync, for tests.
// pair_counts (optional): i32[kPairs] on the images' device; pair_counts[k] += the images that drew pair
// k (k = 36·i + j, draws without a 36-letter pair are skipped), counted by the pass itself.
// The key of epoch e's draws in `aws train` (the trainer sets the copy index of each image under EB),
// and awsaug's: the same seed and epoch give the same augmentation in both.
inline RngKey train_epoch_key(uint64_t seed, uint32_t epoch) { return RngKey{seed, 0, 0, 0, epoch, 0}; }

struct AugmentBatchArgs {
  const Tensor& images;
  const Tensor& indices;
  const RngKey& key;
  Tensor& out;
  ImageDraws* draws = nullptr;
  Tensor* pair_counts = nullptr;
  ImageRows rows = ImageRows::by_index;
};
void augment_batch(Ctx& ctx, const AugmentPlan& plan, const AugmentBatchArgs& a);

// cuda: lets `plan` keep its device copies in `cache` (made here on first use) unless it has a cache
// already, so the plans one caller uses in turn (a trainer's epochs, the search's trajectories) share
// one grow-only cache and allocate nothing once it has its size; the caller keeps `cache` alive as
// long as any graph it captured may replay. Plans sharing a cache are used one at a time, on the
// GPU the cache was made on. Nothing on the cpu.
void share_device_cache(Ctx& ctx, const AugmentPlan& plan, std::shared_ptr<AugmentDeviceCache>& cache);

// Evaluation input: out = normalize(image b / 255) only (steps 4 and 6); the tensors and rows as above.
struct NormalizeBatchArgs {
  const Tensor& images;
  const Tensor& indices;
  Tensor& out;
  ImageRows rows = ImageRows::by_index;
};
void normalize_batch(Ctx& ctx, const Normalization& norm, const NormalizeBatchArgs& a);

// counts[k] += number of draws with pair k (k = 36·i + j); draws without a 36-letter pair are skipped.
void count_pairs(const ImageDraws* draws, int n, int64_t* counts /* kPairs */);

// The cpu pass (augment/pipeline_cpu.cpp); the cuda one is kernels/augment.h. scratch: 2 images per
// thread, grown as needed.
void augment_batch_cpu(Ctx& ctx, std::vector<uint8_t>& scratch, const AugmentPassArgs& a);
void normalize_batch_cpu(Ctx& ctx, const AugmentPassArgs& a);

}  // namespace aws
