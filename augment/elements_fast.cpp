// The fast host route of the 36 elements (see elements_fast.h). Every loop evaluates the same
// float/double expressions as the per-pixel bodies of kernels/augment_ops.h in the same order; it
// only hoists what does not depend on the channel or the column, and drops arithmetic that is
// provably the identity: a shear along one axis has an exact zero fraction along the other, where
// Pillow's cubic p1 + 0·(…) returns p1, so one 1-D cubic per sample replaces five.
#include "augment/elements_fast.h"

#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/augment_ops.h"

namespace aws {
namespace {

using Lut = std::array<uint8_t, 256>;

// 256-entry table of a position-free op, from the per-pixel body itself.
Lut pointwise_lut(int e, int sign, int c, const ElementParams& p) {
  Lut lut;
  for (int v = 0; v < 256; ++v) {
    const uint8_t px[3] = {(uint8_t)v, (uint8_t)v, (uint8_t)v};
    lut[v] = element_pixel(e, sign, px, 1, 1, c, 0, 0, 0, p);
  }
  return lut;
}

// Tables of the ops whose table depends only on (element, sign): Brightness, Invert, Posterize,
// Solarize. Built once on first use, read-only afterwards.
struct FixedLuts {
  Lut lut[kNumElements][2];
  FixedLuts() {
    ElementParams p{};
    for (int e = 0; e < kNumElements; ++e)
      for (int s = 0; s < 2; ++s) lut[e][s] = pointwise_lut(e, s ? 1 : -1, 3, p);
  }
};

const Lut& fixed_lut(int e, int sign) {
  static const FixedLuts tables;
  return tables.lut[e][sign > 0 ? 1 : 0];
}

void apply_lut(const uint8_t* lut, const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = lut[src[i]];
}

// ImagingBlend with the per-image branch on alpha hoisted: `inside` ⇔ 0 ≤ a ≤ 1 (a ≠ 0, 1).
inline uint8_t blend_inside(int deg, int img, float a) {
  return (uint8_t)aws_aug_fadd((float)deg, aws_aug_fmul(a, (float)(img - deg)));
}
inline uint8_t blend_outside(int deg, int img, float a) {
  return aug_clip8f(aws_aug_fadd((float)deg, aws_aug_fmul(a, (float)(img - deg))));
}

// aug_equalize_lut without a division per entry: q = n / step is tracked as quotient + remainder
// while n grows by h[v] (exact integer arithmetic); once q passes 255 the rest of the table is 255.
void equalize_lut(const uint32_t* h, uint8_t* lut) {
  int nonzero = 0;
  uint64_t total = 0, last = 0;
  for (int v = 0; v < 256; ++v)
    if (h[v] != 0) ++nonzero, total += h[v], last = h[v];
  const uint64_t step = nonzero <= 1 ? 0 : (total - last) / 255;
  if (step == 0) {
    for (int v = 0; v < 256; ++v) lut[v] = (uint8_t)v;
    return;
  }
  uint64_t q = 0, r = step / 2;  // n = q·step + r, r < step
  for (int v = 0; v < 256; ++v) {
    while (r >= step && q <= 255) r -= step, ++q;
    if (q > 255) {
      for (; v < 256; ++v) lut[v] = 255;
      return;
    }
    lut[v] = (uint8_t)q;
    r += h[v];
  }
}

void per_channel_lut_op(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t npix = (size_t)h * w;
  uint32_t hist[3][256];
  std::memset(hist, 0, sizeof hist);
  if (c == 1) {
    for (size_t i = 0; i < npix; ++i) ++hist[0][src[i]];
  } else {
    for (size_t i = 0; i < npix; ++i) {
      ++hist[0][src[3 * i]];
      ++hist[1][src[3 * i + 1]];
      ++hist[2][src[3 * i + 2]];
    }
  }
  ElementParams p;
  if (element_op(e) == ElementOp::Equalize) {
    for (int ch = 0; ch < c; ++ch) equalize_lut(hist[ch], p.lut[ch]);
  } else {
    element_params_from_histograms(e, sign, &hist[0][0], h, w, c, &p);
  }
  if (c == 1) {
    apply_lut(p.lut[0], src, dst, npix);
  } else {
    for (size_t i = 0; i < npix; ++i) {
      dst[3 * i] = p.lut[0][src[3 * i]];
      dst[3 * i + 1] = p.lut[1][src[3 * i + 1]];
      dst[3 * i + 2] = p.lut[2][src[3 * i + 2]];
    }
  }
}

void contrast(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t npix = (size_t)h * w;
  uint32_t hist[256];
  std::memset(hist, 0, sizeof hist);
  if (c == 1) {
    for (size_t i = 0; i < npix; ++i) ++hist[src[i]];
  } else {
    for (size_t i = 0; i < npix; ++i) ++hist[aug_gray_l24(src + 3 * i)];
  }
  ElementParams p;
  element_params_from_histograms(e, sign, hist, h, w, c, &p);
  const float a = aug_enhance_alpha(e, sign);  // element_pixel's Contrast body, alpha hoisted
  uint8_t lut[256];
  for (int v = 0; v < 256; ++v) lut[v] = aug_blend(p.contrast_mean, v, a);
  apply_lut(lut, src, dst, npix * c);
}

void color(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t npix = (size_t)h * w;
  if (c == 1) {
    std::memcpy(dst, src, npix);
    return;
  }
  const float a = aug_enhance_alpha(e, sign);
  if (a == 0.f || a == 1.f) {
    for (size_t i = 0; i < npix; ++i) {
      const uint8_t g = aug_gray_l24(src + 3 * i);
      for (int ch = 0; ch < 3; ++ch) dst[3 * i + ch] = aug_blend(g, src[3 * i + ch], a);
    }
  } else if (a >= 0.f && a <= 1.f) {
    for (size_t i = 0; i < npix; ++i) {
      const uint8_t g = aug_gray_l24(src + 3 * i);
      for (int ch = 0; ch < 3; ++ch) dst[3 * i + ch] = blend_inside(g, src[3 * i + ch], a);
    }
  } else {
    for (size_t i = 0; i < npix; ++i) {
      const uint8_t g = aug_gray_l24(src + 3 * i);
      for (int ch = 0; ch < 3; ++ch) dst[3 * i + ch] = blend_outside(g, src[3 * i + ch], a);
    }
  }
}

// Row sums of aug_smooth for one source row over the interior samples i ∈ [c, n − c), with centre
// weight kc: 1/13 for rows y ± 1, 5/13 for row y. Same order as aug_smooth: (l + centre) + r.
void smooth_row(const uint8_t* __restrict row, int n, int c, float kc, float* __restrict out) {
  const float k1 = 1.f / 13.f;
  for (int i = c; i < n - c; ++i)
    out[i] = aws_aug_fadd(aws_aug_fadd(aws_aug_fmul((float)row[i - c], k1), aws_aug_fmul((float)row[i], kc)),
                          aws_aug_fmul((float)row[i + c], k1));
}

// One output row of Sharpness: smooth = clip((((0.5 + up) + mid) + dn)), blended towards the source.
template <int Mode>  // 0: aug_blend as is (a = 0 or 1), 1: 0 < a < 1 (truncate), 2: clip
void sharpen_row(const float* __restrict up, float* __restrict mid, const float* __restrict dn,
                 const uint8_t* __restrict row, uint8_t* __restrict o, int n, int c, float a) {
  if (Mode == 0) {
    for (int i = c; i < n - c; ++i)
      o[i] = aug_blend(aug_clip8f(aws_aug_fadd(aws_aug_fadd(aws_aug_fadd(0.5f, up[i]), mid[i]), dn[i])), row[i], a);
    return;
  }
  // Two branch-free loops (same values as aug_clip8f and aug_blend), so both vectorize: the
  // smoothed sample s as an exact float in place of mid, then s + a·(v − s) (v − s is exact).
  for (int i = c; i < n - c; ++i) {
    const float ss = aws_aug_fadd(aws_aug_fadd(aws_aug_fadd(0.5f, up[i]), mid[i]), dn[i]);
    // aug_clip8f (clip to [0, 255], truncate) as truncate-then-clip in int, the same for every finite
    // ss; written so because GCC does not vectorize the float clip followed by the conversion.
    mid[i] = (float)std::min(std::max((int32_t)ss, 0), 255);
  }
  for (int i = c; i < n - c; ++i) {
    const float t = aws_aug_fadd(mid[i], aws_aug_fmul(a, aws_aug_fadd((float)row[i], -mid[i])));
    o[i] = Mode == 1 ? (uint8_t)(int32_t)t : (uint8_t)(int32_t)(t <= 0.f ? 0.f : t >= 255.f ? 255.f : t);
  }
}

// Scratch on the stack for training-size images, so a call allocates nothing (a train step must not);
// only images wider than N/4 pixels per row fall back to the heap.
template <class T, size_t N>
class SmallBuf {
 public:
  explicit SmallBuf(size_t n) {
    if (n > N) heap_.resize(n);
    p_ = n > N ? heap_.data() : stack_;
  }
  T* data() { return p_; }
  T& operator[](size_t i) { return p_[i]; }

 private:
  T stack_[N];
  std::vector<T> heap_;
  T* p_;
};

void sharpness(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t rowlen = (size_t)w * c;
  std::memcpy(dst, src, rowlen * h);  // borders (and everything when w < 3 or h < 3) stay
  if (w < 3 || h < 3) return;
  const float a = aug_enhance_alpha(e, sign);
  const float k1 = 1.f / 13.f, k5 = 5.f / 13.f;
  const int n = (int)rowlen;
  SmallBuf<float, 4 * 256 * 3> buf(4 * rowlen);
  float* r1[3] = {buf.data(), buf.data() + rowlen, buf.data() + 2 * rowlen};  // rows y−1, y, y+1
  float* r5 = buf.data() + 3 * rowlen;
  smooth_row(src, n, c, k1, r1[0]);
  smooth_row(src + rowlen, n, c, k1, r1[1]);
  const int mode = (a == 0.f || a == 1.f) ? 0 : (a >= 0.f && a <= 1.f) ? 1 : 2;
  for (int y = 1; y < h - 1; ++y) {
    const uint8_t* row = src + y * rowlen;
    smooth_row(row + rowlen, n, c, k1, r1[2]);
    smooth_row(row, n, c, k5, r5);
    uint8_t* o = dst + y * rowlen;
    if (mode == 1) sharpen_row<1>(r1[2], r5, r1[0], row, o, n, c, a);
    else if (mode == 2) sharpen_row<2>(r1[2], r5, r1[0], row, o, n, c, a);
    else sharpen_row<0>(r1[2], r5, r1[0], row, o, n, c, a);
    float* t = r1[0];
    r1[0] = r1[1];
    r1[1] = r1[2];
    r1[2] = t;
  }
}

// aug_cubic on four integer samples: p2, p3, p4 are exact small integers, so forming them in int
// and converting gives the same doubles; the Horner part is the reference's, in its order.
inline double cubic_u8(int v1, int v2, int v3, int v4, double d) {
  const double p2 = (double)(v3 - v1), p3 = (double)(2 * (v1 - v2) + v3 - v4), p4 = (double)(v4 - v3 + v2 - v1);
  return aws_aug_dadd((double)v2, aws_aug_dmul(d, aws_aug_dadd(p2, aws_aug_dmul(d, aws_aug_dadd(p3, aws_aug_dmul(d, p4))))));
}

// The cubic of aug_shear_pixel through four source samples at the fraction d, clamped and truncated as
// there, for n output samples: out[j] from s1[j] .. s4[j] and d[j]. The shears call it on stretches
// whose four sources sit at fixed offsets from the output, so the loop reads contiguously and
// vectorizes (no gathers, no branches).
void cubic_run(const uint8_t* __restrict s1, const uint8_t* __restrict s2, const uint8_t* __restrict s3,
               const uint8_t* __restrict s4, const double* __restrict d, uint8_t* __restrict out, int n) {
  for (int j = 0; j < n; ++j) {
    const double v = cubic_u8(s1[j], s2[j], s3[j], s4[j], d[j]);
    const double cl = v <= 0.0 ? 0.0 : v >= 255.0 ? 255.0 : v;
    out[j] = (uint8_t)(int32_t)cl;
  }
}

// One output row of a shear, in tiles of kShearTile pixels. Per pixel the caller's coordinate gives
// the fraction d and f, the floor of the coordinate − 0.5, whose sources along the shear's axis are
// f − 1 .. f + 2; or "fill" (outside the image: 128). run_tile then gathers the tile's four source
// samples into four contiguous arrays and runs cubic_run once over the whole tile: the pixels whose
// four sources lie inside the image come in stretches that read contiguous memory (ShearX: f − x
// constant; ShearY: the same four rows), copied with memcpy; edge pixels (clipped sources) and fill
// pixels (four 128s at d = 0, whose cubic is exactly 128) one at a time. The arrays live on the stack:
// a call allocates nothing (a train step must not).
constexpr int kShearTile = 64;
struct ShearTile {
  enum Kind : uint8_t { fill, edge, inner };
  Kind kind[kShearTile];
  int f[kShearTile];
  double d[kShearTile * 3];
  uint8_t s[4][kShearTile * 3];
};

// The tile's coordinates along the shear's axis (length n): for pixel x = x0 + i, v = a·(x + 0.5) + b
// + 0 as aug_shear_pixel forms it (ShearX: a = 1, b = mx·(y + 0.5); ShearY: a = my, b = y + 0.5; the
// sum's operands commute exactly), then f = floor(v − 0.5) and d = v − 0.5 − f; (int)floor equals
// aug_floor_to_int for every value that occurs.
void shear_coords(ShearTile& t, double a, double b, int x0, int xn, int n, int c) {
  double dp[kShearTile];
  for (int i = 0; i < xn; ++i) {
    const double v = aws_aug_dadd(aws_aug_dadd(aws_aug_dmul(a, (double)(x0 + i) + 0.5), b), 0.0);
    const double s = aws_aug_dsub(v, 0.5);
    const double fl = std::floor(s);
    const int f = (int)fl;
    t.f[i] = f;
    dp[i] = aws_aug_dsub(s, fl);
    const bool inside = f - 1 >= 0 && f + 2 < n;
    t.kind[i] = v < 0.0 || v >= (double)n ? ShearTile::fill : inside ? ShearTile::inner : ShearTile::edge;
  }
  if (c == 1) {
    std::memcpy(t.d, dp, sizeof(double) * (size_t)xn);
  } else {  // a fixed count per pixel: the runtime-c loop here was a third of the shear's time
    for (int i = 0; i < xn; ++i) t.d[3 * i] = t.d[3 * i + 1] = t.d[3 * i + 2] = dp[i];
  }
}

// same(i, j): pixel j continues the stretch of pixel i; stretch(i, m): the m-th source of pixel i's
// first channel, the stretch's samples following contiguously; edge(i, m): the same for an edge pixel
// (clipped as the reference clips).
template <class Same, class Stretch, class Edge>
void run_tile(ShearTile& t, int xn, int c, uint8_t* out, Same same, Stretch stretch, Edge edge) {
  for (int i = 0; i < xn;) {
    const int o = i * c;
    if (t.kind[i] == ShearTile::inner) {
      int j = i + 1;
      while (j < xn && t.kind[j] == ShearTile::inner && same(i, j)) ++j;
      for (int m = 0; m < 4; ++m) std::memcpy(t.s[m] + o, stretch(i, m), (size_t)(j - i) * c);
      i = j;
      continue;
    }
    const bool fill = t.kind[i] == ShearTile::fill;
    for (int m = 0; m < 4; ++m) {
      const uint8_t* p = fill ? nullptr : edge(i, m);
      for (int ch = 0; ch < c; ++ch) t.s[m][o + ch] = fill ? 128 : p[ch];
    }
    if (fill)
      for (int ch = 0; ch < c; ++ch) t.d[o + ch] = 0.0;
    ++i;
  }
  cubic_run(t.s[0], t.s[1], t.s[2], t.s[3], t.d, out, xn * c);
}

// ShearX: ys = y + 0.5 exactly, so dy = 0 and the vertical cubic returns the row-y horizontal one.
void shear_x(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const double mx = aws_aug_dmul(element_magnitude(e), (double)sign);
  auto xclip = [w](int v) { return v < 0 ? 0 : v < w ? v : w - 1; };
  const size_t stride = (size_t)w * c;
  ShearTile t;
  for (int y = 0; y < h; ++y) {
    const double sy = aws_aug_dmul(mx, (double)y + 0.5);
    const uint8_t* r = src + (size_t)y * stride;
    for (int x0 = 0; x0 < w; x0 += kShearTile) {
      const int xn = std::min(kShearTile, w - x0);
      shear_coords(t, 1.0, sy, x0, xn, w, c);
      run_tile(
          t, xn, c, dst + (size_t)y * stride + (size_t)x0 * c, [&](int i, int j) { return t.f[j] - j == t.f[i] - i; },
          [&](int i, int m) { return r + (size_t)(t.f[i] - 1 + m) * c; },
          [&](int i, int m) { return r + (size_t)xclip(t.f[i] - 1 + m) * c; });
    }
  }
}

// ShearY: xs = x + 0.5 exactly, so dx = 0 and each horizontal cubic returns the sample at x.
void shear_y(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const double my = aws_aug_dmul(element_magnitude(e), (double)sign);
  const size_t stride = (size_t)w * c;
  ShearTile t;
  for (int y = 0; y < h; ++y) {
    const double yi = aws_aug_dmul(1.0, (double)y + 0.5);
    for (int x0 = 0; x0 < w; x0 += kShearTile) {
      const int xn = std::min(kShearTile, w - x0);
      shear_coords(t, my, yi, x0, xn, h, c);
      const uint8_t* col = src + (size_t)x0 * c;  // the tile's first column
      // Rows as the reference picks them near an edge: the first clipped, each later one falls back to
      // its predecessor when outside.
      auto edge_row = [h](int first, int m) {
        int y = first < 0 ? 0 : first < h ? first : h - 1;
        for (int k = 1; k <= m; ++k)
          if (first + k >= 0 && first + k < h) y = first + k;
        return y;
      };
      run_tile(
          t, xn, c, dst + (size_t)y * stride + (size_t)x0 * c, [&](int i, int j) { return t.f[j] == t.f[i]; },
          [&](int i, int m) { return col + (size_t)(t.f[i] - 1 + m) * stride + (size_t)i * c; },
          [&](int i, int m) { return col + (size_t)edge_row(t.f[i] - 1, m) * stride + (size_t)i * c; });
    }
  }
}

// Rotate: the 16.16 coordinates advance by a0 / a3 per column (uint32 arithmetic, as the body). The
// channel count is a template parameter so that a pixel moves as one fixed-size copy.
template <int C>
void rotate_c(const int32_t* a, const uint8_t* src, uint8_t* dst, int h, int w) {
  for (int y = 0; y < h; ++y) {
    uint32_t xx = (uint32_t)a[2] + (uint32_t)y * (uint32_t)a[1];
    uint32_t yy = (uint32_t)a[5] + (uint32_t)y * (uint32_t)a[4];
    uint8_t* o = dst + (size_t)y * w * C;
    for (int x = 0; x < w; ++x, o += C, xx += (uint32_t)a[0], yy += (uint32_t)a[3]) {
      const int sx = (int32_t)xx >> 16, sy = (int32_t)yy >> 16;
      if ((unsigned)sx < (unsigned)w && (unsigned)sy < (unsigned)h) {
        const uint8_t* s = src + ((size_t)sy * w + sx) * C;
        for (int ch = 0; ch < C; ++ch) o[ch] = s[ch];
      } else {
        for (int ch = 0; ch < C; ++ch) o[ch] = 0;
      }
    }
  }
}

void rotate(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  ElementParams p;
  element_params_from_histograms(e, sign, nullptr, h, w, c, &p);
  if (c == 3) rotate_c<3>(p.rot, src, dst, h, w);
  else rotate_c<1>(p.rot, src, dst, h, w);
}

void translate_x(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const double t = aug_translate_shift(e, sign, h, w);
  SmallBuf<int, 1024> sx((size_t)w);
  int lo = w, hi = 0;  // valid output columns [lo, hi)
  bool run = true;
  for (int x = 0; x < w; ++x) {
    sx[x] = aug_translate_coord(t, x);
    if (sx[x] < 0 || sx[x] >= w) { sx[x] = -1; continue; }
    if (lo == w) lo = x;
    else if (x != hi || sx[x] != sx[lo] + (x - lo)) run = false;
    hi = x + 1;
  }
  const size_t stride = (size_t)w * c;
  for (int y = 0; y < h; ++y) {
    const uint8_t* r = src + y * stride;
    uint8_t* o = dst + y * stride;
    if (run) {
      if (lo >= hi) {
        std::memset(o, 128, stride);
        continue;
      }
      std::memset(o, 128, (size_t)lo * c);
      std::memcpy(o + (size_t)lo * c, r + (size_t)sx[lo] * c, (size_t)(hi - lo) * c);
      std::memset(o + (size_t)hi * c, 128, (size_t)(w - hi) * c);
    } else {
      for (int x = 0; x < w; ++x)
        for (int ch = 0; ch < c; ++ch) o[x * c + ch] = sx[x] < 0 ? 128 : r[sx[x] * c + ch];
    }
  }
}

void translate_y(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const double t = aug_translate_shift(e, sign, h, w);
  const size_t stride = (size_t)w * c;
  for (int y = 0; y < h; ++y) {
    const int sy = aug_translate_coord(t, y);
    if (sy < 0 || sy >= h) std::memset(dst + y * stride, 128, stride);
    else std::memcpy(dst + y * stride, src + sy * stride, stride);
  }
}

}  // namespace

void apply_element_fast(int e, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t n = (size_t)h * w * c;
  switch (element_op(e)) {
    case ElementOp::AutoContrast:
    case ElementOp::Equalize: return per_channel_lut_op(e, sign, src, dst, h, w, c);
    case ElementOp::Brightness:
    case ElementOp::Invert:
    case ElementOp::Posterize:
    case ElementOp::Solarize: return apply_lut(fixed_lut(e, sign).data(), src, dst, n);
    case ElementOp::Contrast: return contrast(e, sign, src, dst, h, w, c);
    case ElementOp::Color: return color(e, sign, src, dst, h, w, c);
    case ElementOp::Sharpness: return sharpness(e, sign, src, dst, h, w, c);
    case ElementOp::ShearX: return shear_x(e, sign, src, dst, h, w, c);
    case ElementOp::ShearY: return shear_y(e, sign, src, dst, h, w, c);
    case ElementOp::Rotate: return rotate(e, sign, src, dst, h, w, c);
    case ElementOp::TranslateX: return translate_x(e, sign, src, dst, h, w, c);
    case ElementOp::TranslateY: return translate_y(e, sign, src, dst, h, w, c);
  }
  apply_element_reference(e, sign, src, dst, h, w, c);
}

}  // namespace aws
