// RandomResizedCrop boxes from the counter RNG, the crop + resize + flip, and the scaled JPEG decode
// of a crop (see random_resized_crop.h).
#include "engine/data/random_resized_crop.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "engine/data/image_resize.h"

namespace aws {

namespace {

// Counter slots: 0..9 the tries of the box's size, 100..109 its position after that try, 10 the flip.
constexpr uint32_t kFlipSlot = 10;

int round_half_even(double v) { return int(std::nearbyint(v)); }

}  // namespace

CropBox random_resized_crop_box(int W, int H, const RngKey& key, int64_t index, const RandomResizedCropParams& p) {
  const uint64_t stream = rng_stream(key);
  const double area = double(W) * H;
  const double log_lo = std::log(p.ratio_lo), log_hi = std::log(p.ratio_hi);
  for (uint32_t attempt = 0; attempt < 10; ++attempt) {
    const Rand4 r = philox4x32(stream, uint32_t(index), attempt, uint32_t(uint64_t(index) >> 32));
    const double target = area * (p.scale_lo + (p.scale_hi - p.scale_lo) * rand_unit_double(r.v[0], r.v[1]));
    const double aspect = std::exp(log_lo + (log_hi - log_lo) * rand_unit(r.v[2]));
    const int w = round_half_even(std::sqrt(target * aspect)), h = round_half_even(std::sqrt(target / aspect));
    if (0 < w && w <= W && 0 < h && h <= H) {
      const Rand4 q = philox4x32(stream, uint32_t(index), attempt + 100, uint32_t(uint64_t(index) >> 32));
      return CropBox{int(rand_below(q.v[1], uint32_t(W - w + 1))), int(rand_below(q.v[0], uint32_t(H - h + 1))), w, h};
    }
  }
  // torchvision's fallback: the whole image, or its centre clamped to the ratio range.
  const double in_ratio = double(W) / H;
  int w = W, h = H;
  if (in_ratio < p.ratio_lo) h = round_half_even(w / p.ratio_lo);
  else if (in_ratio > p.ratio_hi) w = round_half_even(h * p.ratio_hi);
  return CropBox{(W - w) / 2, (H - h) / 2, w, h};
}

bool random_flip(const RngKey& key, int64_t index) {
  const Rand4 r = philox4x32(rng_stream(key), uint32_t(index), kFlipSlot, uint32_t(uint64_t(index) >> 32));
  return (r.v[0] >> 31) != 0;
}

Image resized_crop(const Image& in, const CropBox& b, int out, bool flip) {
  if (b.w < 1 || b.h < 1 || b.x < 0 || b.y < 0 || b.x + b.w > in.w || b.y + b.h > in.h)
    throw Error("resized_crop: the box is outside the image");
  const size_t stride = size_t(in.w) * in.c;
  Image r = resize_window(in.pixels.data() + size_t(b.y) * stride + size_t(b.x) * in.c, stride, b.w, b.h, in.c, out,
                          out, 0, 0, out, out);
  if (flip)
    for (int y = 0; y < r.h; ++y) {
      uint8_t* row = r.pixels.data() + size_t(y) * r.w * r.c;
      for (int x = 0; x < r.w / 2; ++x)
        for (int ch = 0; ch < r.c; ++ch) std::swap(row[size_t(x) * r.c + ch], row[size_t(r.w - 1 - x) * r.c + ch]);
    }
  return r;
}

int crop_decode_scale(const CropBox& box, int out) {
  for (int s : {8, 4, 2})
    if (box.w / s >= out && box.h / s >= out) return s;
  return 1;
}

Image decode_crop(const uint8_t* data, size_t n, const std::string& name, const ImageHeader& hd, const CropBox& box,
                  int out, bool flip) {
  if (hd.format != ImageFormat::jpeg) return resized_crop(decode_image(data, n, name), box, out, flip);
  const int s = crop_decode_scale(box, out);
  // The box on the scaled grid, rounded outwards (at most one scaled pixel more on each side).
  const int sw = (hd.w + s - 1) / s, sh = (hd.h + s - 1) / s;
  const int x0 = box.x / s, y0 = box.y / s;
  const int x1 = std::min(sw, (box.x + box.w + s - 1) / s), y1 = std::min(sh, (box.y + box.h + s - 1) / s);
  const Image region = decode_jpeg_region(data, n, name, s, x0, y0, x1, y1);
  return resized_crop(region, CropBox{0, 0, x1 - x0, y1 - y0}, out, flip);
}

}  // namespace aws
