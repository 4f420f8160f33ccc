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

// The horizontal pass: each row of `in` (w_in × C) to out_w columns; channels innermost, so each tap
// reads C neighbouring bytes.
template <int C>
void horizontal_pass(const uint8_t* in, size_t in_stride, uint8_t* out, const Taps& t, int rows, int out_w) {
  for (int y = 0; y < rows; ++y) {
    const uint8_t* row = in + size_t(y) * in_stride;
    uint8_t* o = out + size_t(y) * out_w * C;
    for (int x = 0; x < out_w; ++x) {
      const int32_t* k = &t.k[size_t(x) * t.ksize];
      const uint8_t* p = row + size_t(t.first[size_t(x)]) * C;
      int32_t acc[C];
      for (int ch = 0; ch < C; ++ch) acc[ch] = 1 << (kPrecisionBits - 1);
      for (int j = 0, n = t.count[size_t(x)]; j < n; ++j)
        for (int ch = 0; ch < C; ++ch) acc[ch] += int32_t(p[j * C + ch]) * k[j];
      for (int ch = 0; ch < C; ++ch) o[size_t(x) * C + ch] = clip8(acc[ch]);
    }
  }
}

// The vertical pass: output row y is a weighted sum of whole input rows, so the inner loop runs along
// the row (contiguous, vectorizable). `acc` holds one row of sums.
void vertical_pass(const uint8_t* in, size_t in_stride, uint8_t* out, const Taps& t, int out_h, size_t row_elems) {
  std::vector<int32_t> acc(row_elems);
  for (int y = 0; y < out_h; ++y) {
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    const int32_t* k = &t.k[size_t(y) * t.ksize];
    for (int j = 0, n = t.count[size_t(y)]; j < n; ++j) {
      const uint8_t* r = in + size_t(t.first[size_t(y)] + j) * in_stride;
      const int32_t kj = k[j];
      for (size_t e = 0; e < row_elems; ++e) acc[e] += int32_t(r[e]) * kj;
    }
    uint8_t* o = out + size_t(y) * row_elems;
    for (size_t e = 0; e < row_elems; ++e) o[e] = clip8(acc[e]);
  }
}

}  // namespace

Image resize_bilinear_view(const uint8_t* data, size_t stride, int w, int h, int c, int out_w, int out_h) {
  if (out_w < 1 || out_h < 1) throw Error("resize_bilinear: empty output");
  if (c != 1 && c != 3) throw Error("resize_bilinear: 1 or 3 channels");
  Image out;
  out.h = out_h, out.w = out_w, out.c = c;
  out.pixels.resize(size_t(out_h) * out_w * c);
  // Pillow skips a pass whose size does not change (the box is the whole view here).
  const uint8_t* src = data;
  size_t src_stride = stride;
  std::vector<uint8_t> mid;
  if (out_w != w) {
    const Taps tx = bilinear_taps(w, out_w);
    uint8_t* dst = out_h != h ? (mid.resize(size_t(h) * out_w * c), mid.data()) : out.pixels.data();
    if (c == 3) horizontal_pass<3>(data, stride, dst, tx, h, out_w);
    else horizontal_pass<1>(data, stride, dst, tx, h, out_w);
    src = dst;
    src_stride = size_t(out_w) * c;
  }
  if (out_h != h) vertical_pass(src, src_stride, out.pixels.data(), bilinear_taps(h, out_h), out_h, size_t(out_w) * c);
  if (out_w == w && out_h == h)
    for (int y = 0; y < h; ++y) std::copy_n(data + size_t(y) * stride, size_t(w) * c, out.pixels.data() + size_t(y) * w * c);
  return out;
}

Image resize_bilinear(const Image& in, int out_w, int out_h) {
  return resize_bilinear_view(in.pixels.data(), size_t(in.w) * in.c, in.w, in.h, in.c, out_w, out_h);
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
