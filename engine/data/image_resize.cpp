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

// The taps of outputs [o0, o0 + len) of a resize from in_size to out_size (the window of a resize
// that is cropped afterwards: only what the crop keeps is computed).
Taps bilinear_taps(int in_size, int out_size, int o0, int len) {
  const double scale = double(in_size) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;
  Taps t;
  t.ksize = int(std::ceil(support)) * 2 + 1;
  t.first.resize(size_t(len));
  t.count.resize(size_t(len));
  t.k.assign(size_t(len) * t.ksize, 0);
  std::vector<double> w(size_t(t.ksize));
  for (int i = 0; i < len; ++i) {
    const int x = o0 + i;
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
      t.k[size_t(i) * t.ksize + j] =
          int32_t(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    t.first[size_t(i)] = lo;
    t.count[size_t(i)] = n;
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

Image resize_window(const uint8_t* data, size_t stride, int w, int h, int c, int out_w, int out_h, int x0, int y0,
                    int win_w, int win_h) {
  if (out_w < 1 || out_h < 1 || win_w < 1 || win_h < 1 || x0 < 0 || y0 < 0 || x0 + win_w > out_w || y0 + win_h > out_h)
    throw Error("resize_window: empty output or a window outside it");
  if (c != 1 && c != 3) throw Error("resize_window: 1 or 3 channels");
  Image out;
  out.h = win_h, out.w = win_w, out.c = c;
  out.pixels.resize(size_t(win_h) * win_w * c);
  // Pillow skips a pass whose size does not change; computing it would give the same bytes (its one
  // tap is exactly 1.0), skipping it is faster.
  const bool horizontal = out_w != w, vertical = out_h != h;
  // The input rows the vertical taps read (all of the window's rows when there is no vertical pass).
  Taps ty;
  int row0 = y0, rows = win_h;
  if (vertical) {
    ty = bilinear_taps(h, out_h, y0, win_h);
    row0 = ty.first[0];
    rows = ty.first[size_t(win_h) - 1] + ty.count[size_t(win_h) - 1] - row0;
    for (int& f : ty.first) f -= row0;
  }
  const uint8_t* src = data + size_t(row0) * stride;
  size_t src_stride = stride;
  std::vector<uint8_t> mid;
  if (horizontal) {
    const Taps tx = bilinear_taps(w, out_w, x0, win_w);
    uint8_t* dst = vertical ? (mid.resize(size_t(rows) * win_w * c), mid.data()) : out.pixels.data();
    if (c == 3) horizontal_pass<3>(src, stride, dst, tx, rows, win_w);
    else horizontal_pass<1>(src, stride, dst, tx, rows, win_w);
    src = dst;
    src_stride = size_t(win_w) * c;
  } else {
    src += size_t(x0) * c;  // no horizontal pass: the window's columns as they are
  }
  if (vertical) vertical_pass(src, src_stride, out.pixels.data(), ty, win_h, size_t(win_w) * c);
  if (!horizontal && !vertical)
    for (int y = 0; y < win_h; ++y)
      std::copy_n(src + size_t(y) * src_stride, size_t(win_w) * c, out.pixels.data() + size_t(y) * win_w * c);
  return out;
}

void resized_shorter_side(int w, int h, int size, int* out_w, int* out_h) {
  const int shorter = w <= h ? w : h, longer = w <= h ? h : w;
  const int new_long = int(double(size) * longer / shorter);  // Python's int(size * long / short)
  *out_w = w <= h ? size : new_long;
  *out_h = w <= h ? new_long : size;
}

// torchvision's CenterCrop offset: Python's round(extra / 2), halves to even.
static int center_offset(int extra) { return int(std::nearbyint(extra / 2.0)); }

Image resize_center_crop(const Image& in, int resize, int crop) {
  if (crop > resize) throw Error("resize_center_crop: the crop is larger than the resize");
  int w = 0, h = 0;
  resized_shorter_side(in.w, in.h, resize, &w, &h);
  // Only the kept window of the resize is computed: the same bytes as resizing everything and
  // cropping, with memory bounded by the crop (a 1×100000 image would otherwise resize to S×S·10⁵).
  return resize_window(in.pixels.data(), size_t(in.w) * in.c, in.w, in.h, in.c, w, h, center_offset(w - crop),
                       center_offset(h - crop), crop, crop);
}

}  // namespace aws
