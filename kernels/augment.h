// The fused augmentation pass's cuda launchers (kernels/augment.cu) and the argument struct both
// backends take (the facade is augment/pipeline.h, the cpu pass augment/pipeline_cpu.cpp).
#pragma once
#include <cstdint>

#include "core/context.h"
#include "kernels/augment_image_ops.h"

namespace aws {

// One batch through the pass, as the backends read it (raw pointers, checked by the facade,
// augment/pipeline.cpp). normalize_batch uses the same struct with only params.h/w/c set (no
// crop, flip, pair-op or Cutout) and cdf, draws and pair_counts null.
struct AugmentPassArgs {
  AugmentParams params;             // image size and base augmentation
  const uint64_t* cdf = nullptr;    // host: params.alphabet² entries (null without a pair-op)
  const NormTable* norm = nullptr;  // host
  const uint8_t* images = nullptr;  // [N,H,W,C] u8 on the pass's device
  bool in_order = false;            // image b of the batch is row b of images (a gathered batch);
                                    // false: row indices[b] (the resident dataset)
  const int32_t* indices = nullptr; // [n] on the pass's device, read when the pass runs
  int n = 0;
  uint64_t stream = 0;              // rng_stream(key)
  float* out = nullptr;             // [n,H,W,C] f32 on the pass's device, or:
  uint8_t* out_u8 = nullptr;        // [n,H,W,C] u8: the augmented pixels before /255 (Cutout writes 0)
  ImageDraws* draws = nullptr;      // host, optional: the n images' draws (cuda: a copy back and a sync)
  int32_t* pair_counts = nullptr;   // [kPairs] on the pass's device, optional: += images per pair
};

// Grow-only device copies the cuda pass needs per plan: the policy's sampling table, re-uploaded only
// when its contents change (compared against a host copy, so a new table at a recycled address is
// never mistaken for the old), and the draws read back for tests. Nothing is allocated after the
// first call of a given size.
struct AugmentDeviceCache;
AugmentDeviceCache* augment_cache_create();
void augment_cache_destroy(AugmentDeviceCache* c);

void augment_batch_cuda(Ctx& ctx, AugmentDeviceCache& cache, const AugmentPassArgs& a);
void normalize_batch_cuda(Ctx& ctx, const AugmentPassArgs& a);

}  // namespace aws
