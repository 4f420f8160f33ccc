// Pillow's separable BILINEAR resample in 8-bit fixed point, and torchvision's Resize/CenterCrop
// geometry (see image_resize.h). Coefficients: for output x the centre in source coordinates is
// (x + 0.5)·scale; the triangle filter has support max(scale, 1) and its taps are normalized to sum
// 1 in double, then rounded to 22-bit fixed point (away from zero); each pass starts its sum at half
// an output step and clips to [0, 255].
#include "engine/data/image_resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace aws {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

// Taps of one pass: output i reads `count[i]` source pixels from `first[i]` with `k[i·ksize ...]`.
struct Taps {
  int ksize = 0;
  std::vector<int> first, count;
  std::vector<int32_t> k;
};

Taps bilinear_taps(int in_size, int out_size) {
  const double scale = double(in_size) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;
  Taps t;
  t.ksize = int(std::ceil(support)) * 2 + 1;
  t.first.resize(size_t(out_size));
  t.count.resize(size_t(out_size));
  t.k.assign(size_t(out_size) * t.ksize, 0);
  std::vector<double> w(size_t(t.ksize));
  for (int x = 0; x < out_size; ++x) {
    const double center = (x + 0.5) * scale;
    int lo = int(center - support + 0.5);
    if (lo < 0) lo = 0;
    int hi = int(center + support + 0.5);
    if (hi > in_size) hi = in_size;
    const int n = hi - lo;
    double sum = 0.0;
    const double inv = 1.0 / filterscale;  // Pillow multiplies by the reciprocal (the rounding matters)
    for (int j = 0; j < n; ++j) {
      double d = std::fabs((j + lo - center + 0.5) * inv);
      w[size_t(j)] = d < 1.0 ? 1.0 - d : 0.0;
      sum += w[size_t(j)];
    }
    for (int j = 0; j < n; ++j) {
      const double v = sum != 0.0 ? w[size_t(j)] / sum : w[size_t(j)];
      t.k[size_t(x) * t.ksize + j] = int32_t(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    t.first[size_t(x)] = lo;
    t.count[size_t(x)] = n;
  }
  return t;
}

inline uint8_t clip8(int32_t v) {
  if (v >= (1 << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return uint8_t(v >> kPrecisionBits);
}

// One pass along x (stride_in/out = the channel count, `lines` rows) or along y (the same code on
// the transposed view: step = one row of the image).
void resample_pass(const uint8_t* in, uint8_t* out, const Taps& t, int out_len, int lines, int c,
                   size_t in_step, size_t in_line, size_t out_step, size_t out_line) {
  for (int l = 0; l < lines; ++l)
    for (int x = 0; x < out_len; ++x) {
      const int32_t* k = &t.k[size_t(x) * t.ksize];
      for (int ch = 0; ch < c; ++ch) {
        int32_t s = 1 << (kPrecisionBits - 1);
        const uint8_t* p = in + size_t(l) * in_line + size_t(t.first[size_t(x)]) * in_step + size_t(ch);
        for (int j = 0; j < t.count[size_t(x)]; ++j) s += int32_t(p[size_t(j) * in_step]) * k[j];
        out[size_t(l) * out_line + size_t(x) * out_step + size_t(ch)] = clip8(s);
      }
    }
}

}  // namespace

Image resize_bilinear(const Image& in, int out_w, int out_h) {
  if (out_w < 1 || out_h < 1) throw Error("resize_bilinear: empty output");
  if (out_w == in.w && out_h == in.h) return in;
  const int c = in.c;
  const Taps tx = bilinear_taps(in.w, out_w), ty = bilinear_taps(in.h, out_h);
  // Pillow skips a pass whose size does not change (the box is the whole image here).
  Image cur = in;
  if (out_w != in.w) {
    Image tmp;
    tmp.h = in.h, tmp.w = out_w, tmp.c = c;
    tmp.pixels.resize(size_t(tmp.h) * tmp.w * c);
    resample_pass(cur.pixels.data(), tmp.pixels.data(), tx, out_w, in.h, c, size_t(c), size_t(in.w) * c, size_t(c),
                  size_t(out_w) * c);
    cur = std::move(tmp);
  }
  if (out_h != in.h) {
    Image tmp;
    tmp.h = out_h, tmp.w = cur.w, tmp.c = c;
    tmp.pixels.resize(size_t(tmp.h) * tmp.w * c);
    // Along y: "lines" are columns (step one pixel), the taps step one row.
    resample_pass(cur.pixels.data(), tmp.pixels.data(), ty, out_h, cur.w, c, size_t(cur.w) * c, size_t(c),
                  size_t(cur.w) * c, size_t(c));
    cur = std::move(tmp);
  }
  return cur;
}

void resized_shorter_side(int w, int h, int size, int* out_w, int* out_h) {
  const int shorter = w <= h ? w : h, longer = w <= h ? h : w;
  const int new_long = int(double(size) * longer / shorter);  // Python's int(size * long / short)
  *out_w = w <= h ? size : new_long;
  *out_h = w <= h ? new_long : size;
}

Image center_crop(const Image& in, int size) {
  if (in.w < size || in.h < size) throw Error("center_crop: the image is smaller than the crop");
  // Python's round(): halves to even.
  auto offset = [](int extra) { return int(std::nearbyint(extra / 2.0)); };
  const int top = offset(in.h - size), left = offset(in.w - size);
  Image out;
  out.h = out.w = size, out.c = in.c;
  out.pixels.resize(size_t(size) * size * in.c);
  for (int y = 0; y < size; ++y)
    std::copy_n(in.pixels.data() + (size_t(y + top) * in.w + left) * in.c, size_t(size) * in.c,
                out.pixels.data() + size_t(y) * size * in.c);
  return out;
}

Image resize_center_crop(const Image& in, int size) {
  int w = 0, h = 0;
  resized_shorter_side(in.w, in.h, size, &w, &h);
  return center_crop(resize_bilinear(in, w, h), size);
}

}  // namespace aws
