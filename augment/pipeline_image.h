// The per-image work of the fused augmentation pass as pure functions of (image bytes, draws),
// written once (AWS_HD) for the cpu loop and the cuda kernel: the draws from Philox with a fixed
// slot per draw, the pad-crop + flip gather, and the /255 → Cutout → normalize write-out.
// The pair-op between them is apply_element (augment/elements.h, kernels/augment_ops.h).
#pragma once
#include <cstdint>

#include "augment/policy.h"
#include "engine/core/hd.h"
#include "engine/core/rng.h"

namespace aws {

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
    d.pair = (d.op1 < kElements && d.op2 < kElements) ? d.op1 * kElements + d.op2 : -1;
    d.sign1 = (draw_word(stream, index, kSlotSign1) >> 31) ? 1 : -1;
    d.sign2 = (draw_word(stream, index, kSlotSign2) >> 31) ? 1 : -1;
  }
  if (p.cutout > 0) {
    d.cut_y = int32_t(rand_below(draw_word(stream, index, kSlotCutY), uint32_t(p.h)));
    d.cut_x = int32_t(rand_below(draw_word(stream, index, kSlotCutX), uint32_t(p.w)));
  }
  return d;
}

// Steps 1–2 for one pixel row y: dst = flip(crop(zero-pad(src))). Padding reads as 0 (black).
AWS_HD void crop_flip_row(const uint8_t* src, uint8_t* dst, const AugmentParams& p, const ImageDraws& d, int y) {
  const int sy = y + d.crop_y - p.crop_pad;
  const int c = p.c;
  for (int x = 0; x < p.w; ++x) {
    const int xx = d.flip ? p.w - 1 - x : x;
    const int sx = xx + d.crop_x - p.crop_pad;
    uint8_t* o = dst + (size_t(y) * p.w + x) * c;
    if (sy < 0 || sy >= p.h || sx < 0 || sx >= p.w) {
      for (int ch = 0; ch < c; ++ch) o[ch] = 0;
    } else {
      const uint8_t* s = src + (size_t(sy) * p.w + sx) * c;
      for (int ch = 0; ch < c; ++ch) o[ch] = s[ch];
    }
  }
}

// Steps 4 and 6 for one value: (v / 255 − mean) / std in float32.
AWS_HD float normalize_value(float v255, float mean, float std) { return (v255 / 255.0f - mean) / std; }

// True when pixel (y, x) lies in the cutout box [c − s/2, c − s/2 + s) in both axes.
AWS_HD bool in_cutout(const AugmentParams& p, const ImageDraws& d, int y, int x) {
  if (p.cutout <= 0) return false;
  const int y0 = d.cut_y - p.cutout / 2, x0 = d.cut_x - p.cutout / 2;
  return y >= y0 && y < y0 + p.cutout && x >= x0 && x < x0 + p.cutout;
}

}  // namespace aws
