// The ImageNet training crop (torchvision's RandomResizedCrop + RandomHorizontalFlip) and the
// evaluation crop (Resize(256) + CenterCrop(224)), for images streamed from a folder:
//   box     torchvision 0.14's get_params algorithm (10 tries of a random area share in `scale` and a
//           log-uniform aspect in `ratio`, rounded as Python rounds; else the centre fallback), its
//           random numbers drawn from the counter RNG keyed by (seed, epoch) and the image index, so a
//           crop is a pure function of (seed, epoch, image) whatever the thread or rank;
//   pixels  Pillow's crop + BILINEAR resize of the box (engine/data/image_resize.h), bit-identical
//           to torchvision's F.resized_crop on a PIL image for the same box; then the flip.
// decode_crop decodes a JPEG at the largest DCT scale (1/2, 1/4, 1/8) that keeps the box at least
// the output size, and only the region the box covers (decode_jpeg_region): the speed path. At a
// scale below 1 it is no longer bit-identical to a full-size decode (the scaled IDCT is another
// filter); it equals Pillow's draft() + crop + resize on the scaled grid (tested).
#pragma once
#include <cstdint>

#include "core/rng.h"
#include "engine/io/image_io.h"

namespace aws {

struct CropBox {
  int x = 0, y = 0, w = 0, h = 0;  // left, top, width, height in source pixels
};

struct RandomResizedCropParams {
  double scale_lo = 0.08, scale_hi = 1.0;
  double ratio_lo = 3.0 / 4.0, ratio_hi = 4.0 / 3.0;
};

// The box for image `index` of a W×H image under `key` (the epoch's stream).
CropBox random_resized_crop_box(int W, int H, const RngKey& key, int64_t index, const RandomResizedCropParams& p = {});

// Whether image `index` is flipped (probability 1/2) under `key`.
bool random_flip(const RngKey& key, int64_t index);

// The box's pixels resized to out × out (Pillow bilinear), flipped horizontally when `flip`.
Image resized_crop(const Image& in, const CropBox& box, int out, bool flip);

// The DCT scale decode_crop uses for a box: the largest s in {8, 4, 2, 1} with box.w / s ≥ out and
// box.h / s ≥ out (integer division).
int crop_decode_scale(const CropBox& box, int out);

// Decodes `data` (JPEG: at crop_decode_scale, only the box's region; PNG: in full), then
// resized_crop of the box (scaled to the decoded size) to out × out, flipped when `flip`.
Image decode_crop(const uint8_t* data, size_t n, const std::string& name, const ImageHeader& header,
                  const CropBox& box, int out, bool flip);

}  // namespace aws
