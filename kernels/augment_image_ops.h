// The per-image work of the fused augmentation pass as pure functions of (image bytes, draws),
// written once (AWS_HD) for the cpu loop (augment/pipeline_cpu.cpp) and the cuda kernel
// (kernels/augment.cu): the draws from Philox with a fixed slot per draw, the pad-crop + flip gather,
// and the /255 → Cutout → normalize write-out through one normalization table.
// The pair-op between them is the element bodies of kernels/augment_ops.h.
#pragma once
#include <cstdint>

#include "core/hd.h"
#include "core/rng.h"
#include "kernels/augment_ops.h"  // kNumElements

namespace aws {

// The first k with cdf[k] > r: binary search, written once for the cpu and the cuda pass.
AWS_HD int sample_cdf(const uint64_t* cdf, int n, uint32_t r) {
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    int mid = (lo + hi) >> 1;
    if (cdf[mid] > uint64_t(r)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Everything about a batch's image size and base augmentation that the per-image code needs.
struct AugmentParams {
  int h = 0, w = 0, c = 0;
  int crop_pad = 0;     // 0: no crop
  bool flip = false;
  int cutout = 0;       // side in pixels at this size; 0: none
  int alphabet = 0;     // 0: no pair-op; 36 or 37 (kIdentity is the identity letter)
};

// Every random decision about one image. Disabled steps record crop (pad, pad), flip 0, ops −1,
// cutout centre −1. Signs are drawn for both ops (±1); an unsigned element ignores its sign.
struct ImageDraws {
  int32_t crop_x = 0, crop_y = 0;  // offset of the crop in the padded image, in [0, 2·pad]
  int32_t flip = 0;                // 1: mirrored left-right
  int32_t op1 = -1, op2 = -1;      // letters, op1 applied first; kIdentity = apply nothing
  int32_t pair = -1;               // 36·op1 + op2 when both are elements, else −1
  int32_t sign1 = 1, sign2 = 1;
  int32_t cut_y = -1, cut_x = -1;  // cutout centre
};

// The fixed Philox counter slot of each draw: counter = (dataset index, slot), word 0.
enum DrawSlot : uint32_t {
  kSlotCropX = 0, kSlotCropY = 1, kSlotFlip = 2, kSlotPair = 3,
  kSlotSign1 = 4, kSlotSign2 = 5, kSlotCutY = 6, kSlotCutX = 7,
};

AWS_HD uint32_t draw_word(uint64_t stream, uint32_t index, uint32_t slot) {
  return philox4x32(stream, index, slot).v[0];
}

AWS_HD ImageDraws draw_image(const AugmentParams& p, const uint64_t* cdf, uint64_t stream, uint32_t index) {
  ImageDraws d;
  d.crop_x = d.crop_y = p.crop_pad;
  if (p.crop_pad > 0) {
    const uint32_t span = uint32_t(2 * p.crop_pad + 1);
    d.crop_x = int32_t(rand_below(draw_word(stream, index, kSlotCropX), span));
    d.crop_y = int32_t(rand_below(draw_word(stream, index, kSlotCropY), span));
  }
  if (p.flip) d.flip = int32_t(draw_word(stream, index, kSlotFlip) >> 31);
  if (p.alphabet > 0) {
    const int k = sample_cdf(cdf, p.alphabet * p.alphabet, draw_word(stream, index, kSlotPair));
    d.op1 = k / p.alphabet;
    d.op2 = k % p.alphabet;
    d.pair = (d.op1 < kNumElements && d.op2 < kNumElements) ? d.op1 * kNumElements + d.op2 : -1;
    d.sign1 = (draw_word(stream, index, kSlotSign1) >> 31) ? 1 : -1;
    d.sign2 = (draw_word(stream, index, kSlotSign2) >> 31) ? 1 : -1;
  }
  if (p.cutout > 0) {
    d.cut_y = int32_t(rand_below(draw_word(stream, index, kSlotCutY), uint32_t(p.h)));
    d.cut_x = int32_t(rand_below(draw_word(stream, index, kSlotCutX), uint32_t(p.w)));
  }
  return d;
}

// Steps 1–2 for one output pixel (y, x): the source pixel (sy·w + sx) that flip(crop(zero-pad(src)))
// reads there, or −1 where it reads the zero padding (black). The cuda kernel gathers through it
// byte by byte; the cpu pass (crop_flip_image) is its row form: one memset and one copy per row.
AWS_HD int crop_flip_source(const AugmentParams& p, const ImageDraws& d, int y, int x) {
  const int sy = y + d.crop_y - p.crop_pad;
  const int sx = (d.flip ? p.w - 1 - x : x) + d.crop_x - p.crop_pad;
  return (sy < 0 || sy >= p.h || sx < 0 || sx >= p.w) ? -1 : sy * p.w + sx;
}

// Steps 4 and 6 for one value: (v / 255 − mean) / std in float32.
AWS_HD float normalize_value(float v255, float mean, float std) { return (v255 / 255.0f - mean) / std; }

// True when pixel (y, x) lies in the cutout box [c − s/2, c − s/2 + s) in both axes.
AWS_HD bool in_cutout(const AugmentParams& p, const ImageDraws& d, int y, int x) {
  if (p.cutout <= 0) return false;
  const int y0 = d.cut_y - p.cutout / 2, x0 = d.cut_x - p.cutout / 2;
  return y >= y0 && y < y0 + p.cutout && x >= x0 && x < x0 + p.cutout;
}

// The normalization of steps 4 and 6 as a table, built once on the host and used by both passes (a
// kernel argument on cuda: 3 KB, under the 4 KB parameter limit).
struct NormTable {
  float lut[3 * 256];  // lut[ch·256 + v] = normalize_value(v, mean[ch], std[ch])
  float cut[3];        // the normalized 0 that Cutout writes
};

inline NormTable make_norm_table(const float* mean, const float* std, int c) {
  NormTable t{};
  for (int ch = 0; ch < c; ++ch) {
    for (int v = 0; v < 256; ++v) t.lut[ch * 256 + v] = normalize_value(float(v), mean[ch], std[ch]);
    t.cut[ch] = normalize_value(0.0f, mean[ch], std[ch]);
  }
  return t;
}

}  // namespace aws
