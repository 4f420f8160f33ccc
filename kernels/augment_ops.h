// Host-device bodies of the 36 augmentation elements (SPEC.md §2–4), bit-exact with Pillow 9.4.
// Each element is split into (a) per-image parameters computed from exact integer histograms
// (AutoContrast/Equalize LUTs, Contrast's gray mean, Rotate's 16.16 coefficients) and (b) a
// per-pixel body that reads the source image at computed coordinates. The cpu backend loops over
// (b); the CUDA kernel runs one block per image with the image in shared memory. All float/double
// arithmetic goes through aws_aug_* helpers that are correctly rounded and never fused (no FMA), in
// Pillow's evaluation order. The only libm call is floor (exact on every platform).
#pragma once
#include <cmath>
#include <cstdint>

#include "core/hd.h"

namespace aws {

// The 14 op classes, in the order their elements appear in the official (sorted) table.
enum class ElementOp : uint8_t {
  AutoContrast, Brightness, Color, Contrast, Equalize, Invert, Posterize,
  Rotate, Sharpness, ShearX, ShearY, Solarize, TranslateX, TranslateY
};

constexpr int kNumElements = 36;

// Which exact histograms element_params_from_histograms needs: none, one per channel (c of them),
// or one of the L24 gray (for c = 1 the gray is the channel itself).
enum class ElementHist : uint8_t { None, PerChannel, Gray };

struct ElementParams {
  uint8_t lut[3][256];   // AutoContrast / Equalize: per-channel lookup table
  int32_t rot[6];        // Rotate: 16.16 fixed-point a0..a5 (Pillow's affine_fixed)
  int contrast_mean;     // Contrast: int(mean(gray) + 0.5)
};

// ---- unfused, correctly rounded arithmetic (nvcc would otherwise contract into FMA) ----------
AWS_HD float aws_aug_fmul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
AWS_HD float aws_aug_fadd(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
AWS_HD double aws_aug_dmul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
AWS_HD double aws_aug_dadd(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
AWS_HD double aws_aug_dsub(double a, double b) { return aws_aug_dadd(a, -b); }

// ---- the element table as data the device can read -----------------------------------------
AWS_HD ElementOp element_op(int e) {
  if (e == 0) return ElementOp::AutoContrast;
  if (e <= 3) return ElementOp::Brightness;
  if (e <= 6) return ElementOp::Color;
  if (e <= 9) return ElementOp::Contrast;
  if (e == 10) return ElementOp::Equalize;
  if (e == 11) return ElementOp::Invert;
  if (e <= 14) return ElementOp::Posterize;
  if (e <= 17) return ElementOp::Rotate;
  if (e <= 20) return ElementOp::Sharpness;
  if (e <= 23) return ElementOp::ShearX;
  if (e <= 26) return ElementOp::ShearY;
  if (e <= 29) return ElementOp::Solarize;
  if (e <= 32) return ElementOp::TranslateX;
  return ElementOp::TranslateY;
}

// Position 0..2 of an element inside its op's group of three (0 for the single ones).
AWS_HD int element_level(int e) {
  switch (element_op(e)) {
    case ElementOp::Brightness: return e - 1;
    case ElementOp::Color: return e - 4;
    case ElementOp::Contrast: return e - 7;
    case ElementOp::Posterize: return e - 12;
    case ElementOp::Rotate: return e - 15;
    case ElementOp::Sharpness: return e - 18;
    case ElementOp::ShearX: return e - 21;
    case ElementOp::ShearY: return e - 24;
    case ElementOp::Solarize: return e - 27;
    case ElementOp::TranslateX: return e - 30;
    case ElementOp::TranslateY: return e - 33;
    default: return 0;
  }
}

// The exact doubles of the authors' numpy.linspace construction (indices 3, 6, 9 of 10 points).
AWS_HD double element_magnitude(int e) {
  const int l = element_level(e);
  switch (element_op(e)) {
    case ElementOp::Brightness:
    case ElementOp::Color:
    case ElementOp::Contrast:
    case ElementOp::Sharpness:  // linspace(0, 0.9, 10)
      return l == 0 ? 0x1.3333333333334p-2 : l == 1 ? 0x1.3333333333334p-1 : 0x1.ccccccccccccdp-1;
    case ElementOp::Posterize:  // round(linspace(8, 4, 10)) in sorted-name order: 4, 5, 7
      return l == 0 ? 4.0 : l == 1 ? 5.0 : 7.0;
    case ElementOp::Rotate:  // linspace(0, 30, 10)
      return l == 0 ? 10.0 : l == 1 ? 20.0 : 30.0;
    case ElementOp::ShearX:
    case ElementOp::ShearY:  // linspace(0, 0.3, 10)
      return l == 0 ? 0x1.999999999999ap-4 : l == 1 ? 0x1.999999999999ap-3 : 0x1.3333333333333p-2;
    case ElementOp::Solarize:  // linspace(256, 0, 10) in sorted-name order: 0, 170.67, 85.33
      return l == 0 ? 0.0 : l == 1 ? 0x1.5555555555556p+7 : 0x1.5555555555556p+6;
    case ElementOp::TranslateX:
    case ElementOp::TranslateY:  // linspace(0, 150/331, 10)
      return l == 0 ? 0x1.355d9544d5766p-3 : l == 1 ? 0x1.355d9544d5766p-2 : 0x1.d00c5fe740318p-2;
    default: return 0.0;
  }
}

AWS_HD bool element_signed(int e) {
  switch (element_op(e)) {
    case ElementOp::Brightness: case ElementOp::Color: case ElementOp::Contrast:
    case ElementOp::Rotate: case ElementOp::Sharpness: case ElementOp::ShearX:
    case ElementOp::ShearY: case ElementOp::TranslateX: case ElementOp::TranslateY:
      return true;
    default: return false;
  }
}

AWS_HD ElementHist element_histograms(int e) {
  switch (element_op(e)) {
    case ElementOp::AutoContrast: case ElementOp::Equalize: return ElementHist::PerChannel;
    case ElementOp::Contrast: return ElementHist::Gray;
    default: return ElementHist::None;
  }
}

// Number of 256-bin histograms element e needs for a c-channel image.
AWS_HD int element_histogram_count(int e, int c) {
  const ElementHist k = element_histograms(e);
  return k == ElementHist::PerChannel ? c : k == ElementHist::Gray ? 1 : 0;
}

// ---- small shared pieces ---------------------------------------------------------------------
// Pillow's RGB → L (rounded ITU-601, Pillow ≥ 7).
AWS_HD uint8_t aug_gray_l24(const uint8_t* px) {
  return (uint8_t)(((uint32_t)px[0] * 19595u + (uint32_t)px[1] * 38470u + (uint32_t)px[2] * 7471u +
                    0x8000u) >> 16);
}

// Bin of pixel px (c channels) in histogram k of element e (k < element_histogram_count(e, c)).
AWS_HD int element_histogram_bin(int e, const uint8_t* px, int c, int k) {
  if (element_histograms(e) == ElementHist::Gray) return c == 3 ? aug_gray_l24(px) : px[0];
  return px[k];
}

// The ImageEnhance factor 1 + m·sign as Pillow's C code sees it: a float32.
AWS_HD float aug_enhance_alpha(int e, int sign) {
  return (float)(1.0 + element_magnitude(e) * (double)sign);
}

// ImagingBlend(deg, img, alpha) for one uint8 sample.
AWS_HD uint8_t aug_blend(int deg, int img, float a) {
  if (a == 0.f) return (uint8_t)deg;
  if (a == 1.f) return (uint8_t)img;
  const float t = aws_aug_fadd((float)deg, aws_aug_fmul(a, (float)(img - deg)));
  if (a >= 0.f && a <= 1.f) return (uint8_t)t;
  if (t <= 0.f) return 0;
  if (t >= 255.f) return 255;
  return (uint8_t)t;
}

AWS_HD uint8_t aug_clip8f(float v) {
  if (v <= 0.f) return 0;
  if (v >= 255.f) return 255;
  return (uint8_t)v;
}

AWS_HD int aug_floor_to_int(double v) { return v < 0.0 ? (int)floor(v) : (int)v; }

// ---- per-image parameters from exact histograms ----------------------------------------------
// ImageOps.autocontrast(cutoff=0) for one channel.
AWS_HD void aug_autocontrast_lut(const uint32_t* h, uint8_t* lut) {
  int lo = 0, hi = 255;
  while (lo < 256 && h[lo] == 0) ++lo;
  while (hi >= 0 && h[hi] == 0) --hi;
  if (hi <= lo) {
    for (int v = 0; v < 256; ++v) lut[v] = (uint8_t)v;
    return;
  }
  const double scale = 255.0 / (double)(hi - lo);
  const double offset = aws_aug_dmul(-(double)lo, scale);
  for (int v = 0; v < 256; ++v) {
    int ix = (int)aws_aug_dadd(aws_aug_dmul((double)v, scale), offset);
    lut[v] = (uint8_t)(ix < 0 ? 0 : ix > 255 ? 255 : ix);
  }
}

// ImageOps.equalize for one channel (Image.point clamps the table to 255).
AWS_HD void aug_equalize_lut(const uint32_t* h, uint8_t* lut) {
  int nonzero = 0;
  uint64_t total = 0, last = 0;
  for (int v = 0; v < 256; ++v) {
    if (h[v] != 0) {
      ++nonzero;
      total += h[v];
      last = h[v];
    }
  }
  const uint64_t step = nonzero <= 1 ? 0 : (total - last) / 255;
  if (step == 0) {
    for (int v = 0; v < 256; ++v) lut[v] = (uint8_t)v;
    return;
  }
  uint64_t n = step / 2;
  for (int v = 0; v < 256; ++v) {
    const uint64_t q = n / step;
    lut[v] = (uint8_t)(q > 255 ? 255 : q);
    n += h[v];
  }
}

// int(ImageStat.Stat(gray).mean + 0.5), the mean a double over the exact histogram.
AWS_HD int aug_contrast_mean(const uint32_t* h) {
  uint64_t sum = 0, count = 0;
  for (int v = 0; v < 256; ++v) {
    sum += (uint64_t)v * h[v];
    count += h[v];
  }
  return (int)aws_aug_dadd((double)sum / (double)count, 0.5);
}

// Image.rotate(±deg)'s matrix entries cos/sin, rounded to 15 decimals by Python (exact doubles).
AWS_HD void aug_rotate_cos_sin(int e, int sign, double* c, double* s) {
  switch (element_level(e)) {
    case 0: *c = 0.984807753012208; *s = 0.17364817766693; break;
    case 1: *c = 0.939692620785908; *s = 0.342020143325669; break;
    default: *c = sign > 0 ? 0.866025403784439 : 0.866025403784438; *s = 0.5; break;
  }
  if (sign > 0) *s = -*s;  // angle −radians(+deg): sin < 0
}

// Pillow's affine_fixed coefficients for rotate about (w/2, h/2), no expand.
AWS_HD void aug_rotate_fixed(int e, int sign, int h, int w, int32_t* a) {
  double c, s;
  aug_rotate_cos_sin(e, sign, &c, &s);
  const double m0 = c, m1 = s, m3 = -s, m4 = c;
  const double cx = (double)w / 2.0, cy = (double)h / 2.0;
  double m2 = aws_aug_dadd(aws_aug_dadd(aws_aug_dmul(m0, -cx), aws_aug_dmul(m1, -cy)), 0.0);
  double m5 = aws_aug_dadd(aws_aug_dadd(aws_aug_dmul(m3, -cx), aws_aug_dmul(m4, -cy)), 0.0);
  m2 = aws_aug_dadd(m2, cx);
  m5 = aws_aug_dadd(m5, cy);
  auto fix = [](double v) { return (int32_t)aug_floor_to_int(aws_aug_dadd(aws_aug_dmul(v, 65536.0), 0.5)); };
  a[0] = fix(m0);
  a[1] = fix(m1);
  a[2] = fix(aws_aug_dadd(aws_aug_dadd(m2, aws_aug_dmul(m0, 0.5)), aws_aug_dmul(m1, 0.5)));
  a[3] = fix(m3);
  a[4] = fix(m4);
  a[5] = fix(aws_aug_dadd(aws_aug_dadd(m5, aws_aug_dmul(m3, 0.5)), aws_aug_dmul(m4, 0.5)));
}

// (a) Per-image parameters. hist holds element_histogram_count(e, c) histograms of 256 bins
// (may be null when that count is 0).
AWS_HD void element_params_from_histograms(int e, int sign, const uint32_t* hist, int h, int w, int c,
                                           ElementParams* p) {
  switch (element_op(e)) {
    case ElementOp::AutoContrast:
      for (int ch = 0; ch < c; ++ch) aug_autocontrast_lut(hist + 256 * ch, p->lut[ch]);
      break;
    case ElementOp::Equalize:
      for (int ch = 0; ch < c; ++ch) aug_equalize_lut(hist + 256 * ch, p->lut[ch]);
      break;
    case ElementOp::Contrast: p->contrast_mean = aug_contrast_mean(hist); break;
    case ElementOp::Rotate: aug_rotate_fixed(e, sign, h, w, p->rot); break;
    default: break;
  }
}

// ---- per-pixel bodies ------------------------------------------------------------------------
// SMOOTH-filter value of pixel (x, y) channel ch, 1 ≤ x < w−1, 1 ≤ y < h−1 (Pillow's Filter3x3).
AWS_HD uint8_t aug_smooth(const uint8_t* src, int w, int c, int x, int y, int ch) {
  const float k1 = 1.f / 13.f, k5 = 5.f / 13.f;
  float ss = 0.5f;
  for (int dy = 1; dy >= -1; --dy) {
    const uint8_t* row = src + ((size_t)(y + dy) * w) * c + ch;
    const float kc = dy == 0 ? k5 : k1;
    const float r = aws_aug_fadd(aws_aug_fadd(aws_aug_fmul((float)row[(x - 1) * c], k1),
                                              aws_aug_fmul((float)row[x * c], kc)),
                                 aws_aug_fmul((float)row[(x + 1) * c], k1));
    ss = aws_aug_fadd(ss, r);
  }
  return aug_clip8f(ss);
}

AWS_HD uint8_t aug_sharpness_pixel(float a, const uint8_t* src, int h, int w, int c, int x, int y, int ch) {
  const int v = src[((size_t)y * w + x) * c + ch];
  if (w < 3 || h < 3 || x == 0 || y == 0 || x == w - 1 || y == h - 1) return (uint8_t)v;
  return aug_blend(aug_smooth(src, w, c, x, y, ch), v, a);
}

// Pillow's BICUBIC macro (a = −1 cubic), all in double.
AWS_HD double aug_cubic(double v1, double v2, double v3, double v4, double d) {
  const double p1 = v2;
  const double p2 = aws_aug_dadd(-v1, v3);
  const double p3 = aws_aug_dsub(aws_aug_dadd(aws_aug_dmul(2.0, aws_aug_dsub(v1, v2)), v3), v4);
  const double p4 = aws_aug_dadd(aws_aug_dsub(aws_aug_dadd(-v1, v2), v3), v4);
  return aws_aug_dadd(p1, aws_aug_dmul(d, aws_aug_dadd(p2, aws_aug_dmul(d, aws_aug_dadd(p3, aws_aug_dmul(d, p4))))));
}

// Image.transform(AFFINE (1, mx, 0, my, 1, 0), BICUBIC, fillcolor 128): ImagingGenericTransform.
AWS_HD uint8_t aug_shear_pixel(double mx, double my, const uint8_t* src, int h, int w, int c, int x, int y,
                               int ch) {
  const double xi = (double)x + 0.5, yi = (double)y + 0.5;
  double xs = aws_aug_dadd(aws_aug_dadd(aws_aug_dmul(1.0, xi), aws_aug_dmul(mx, yi)), 0.0);
  double ys = aws_aug_dadd(aws_aug_dadd(aws_aug_dmul(my, xi), aws_aug_dmul(1.0, yi)), 0.0);
  if (xs < 0.0 || xs >= (double)w || ys < 0.0 || ys >= (double)h) return 128;
  xs = aws_aug_dsub(xs, 0.5);
  ys = aws_aug_dsub(ys, 0.5);
  int ix = aug_floor_to_int(xs), iy = aug_floor_to_int(ys);
  const double dx = aws_aug_dsub(xs, (double)ix), dy = aws_aug_dsub(ys, (double)iy);
  --ix;
  --iy;
  auto xclip = [w](int v) { return v < 0 ? 0 : v < w ? v : w - 1; };
  const int x0 = xclip(ix) * c + ch, x1 = xclip(ix + 1) * c + ch;
  const int x2 = xclip(ix + 2) * c + ch, x3 = xclip(ix + 3) * c + ch;
  auto row_cubic = [&](int yy) {
    const uint8_t* r = src + (size_t)yy * w * c;
    return aug_cubic(r[x0], r[x1], r[x2], r[x3], dx);
  };
  const double v1 = row_cubic(iy < 0 ? 0 : iy < h ? iy : h - 1);
  const double v2 = (iy + 1 >= 0 && iy + 1 < h) ? row_cubic(iy + 1) : v1;
  const double v3 = (iy + 2 >= 0 && iy + 2 < h) ? row_cubic(iy + 2) : v2;
  const double v4 = (iy + 3 >= 0 && iy + 3 < h) ? row_cubic(iy + 3) : v3;
  const double v = aug_cubic(v1, v2, v3, v4, dy);
  if (v <= 0.0) return 0;
  if (v >= 255.0) return 255;
  return (uint8_t)v;
}

// Source coordinate of Pillow's ImagingScaleAffine (NEAREST) for output index i and shift t:
// COORD(t + 0.5 + i), −1 when negative. (Pillow accumulates +1.0 per pixel; the closed form gives
// the same integer because t + 0.5 is never within rounding distance of an integer; tested.)
AWS_HD int aug_translate_coord(double t, int i) {
  const double v = aws_aug_dadd(aws_aug_dadd(t, 0.5), (double)i);
  return v < 0.0 ? -1 : (int)v;
}

AWS_HD uint8_t aug_translate_pixel(bool along_x, double t, const uint8_t* src, int h, int w, int c, int x, int y,
                                   int ch) {
  const int sx = along_x ? aug_translate_coord(t, x) : x;
  const int sy = along_x ? y : aug_translate_coord(t, y);
  if (sx < 0 || sx >= w || sy < 0 || sy >= h) return 128;
  return src[((size_t)sy * w + sx) * c + ch];
}

// Pillow's affine_fixed (NEAREST), fill 0.
AWS_HD uint8_t aug_rotate_pixel(const int32_t* a, const uint8_t* src, int h, int w, int c, int x, int y, int ch) {
  const int32_t xx = (int32_t)((uint32_t)a[2] + (uint32_t)y * (uint32_t)a[1] + (uint32_t)x * (uint32_t)a[0]);
  const int32_t yy = (int32_t)((uint32_t)a[5] + (uint32_t)y * (uint32_t)a[4] + (uint32_t)x * (uint32_t)a[3]);
  const int sx = xx >> 16, sy = yy >> 16;
  if (sx < 0 || sx >= w || sy < 0 || sy >= h) return 0;
  return src[((size_t)sy * w + sx) * c + ch];
}

// The translate shift in pixels-as-double: m·W (x) or m·H (y), times the sign.
AWS_HD double aug_translate_shift(int e, int sign, int h, int w) {
  const double m = aws_aug_dmul(element_magnitude(e), (double)sign);
  return aws_aug_dmul(m, (double)(element_op(e) == ElementOp::TranslateX ? w : h));
}

// (b) Output sample (x, y, ch) of element e applied to src (uint8 HWC, c ∈ {1, 3}).
AWS_HD uint8_t element_pixel(int e, int sign, const uint8_t* src, int h, int w, int c, int x, int y, int ch,
                             const ElementParams& p) {
  const uint8_t* px = src + ((size_t)y * w + x) * c;
  const int v = px[ch];
  switch (element_op(e)) {
    case ElementOp::AutoContrast:
    case ElementOp::Equalize: return p.lut[ch][v];
    case ElementOp::Brightness: return aug_blend(0, v, aug_enhance_alpha(e, sign));
    case ElementOp::Color: return c == 3 ? aug_blend(aug_gray_l24(px), v, aug_enhance_alpha(e, sign)) : (uint8_t)v;
    case ElementOp::Contrast: return aug_blend(p.contrast_mean, v, aug_enhance_alpha(e, sign));
    case ElementOp::Invert: return (uint8_t)(255 - v);
    case ElementOp::Posterize: return (uint8_t)(v & ~((1 << (8 - (int)element_magnitude(e))) - 1));
    case ElementOp::Solarize: return (double)v < element_magnitude(e) ? (uint8_t)v : (uint8_t)(255 - v);
    case ElementOp::Sharpness: return aug_sharpness_pixel(aug_enhance_alpha(e, sign), src, h, w, c, x, y, ch);
    case ElementOp::ShearX:
      return aug_shear_pixel(aws_aug_dmul(element_magnitude(e), (double)sign), 0.0, src, h, w, c, x, y, ch);
    case ElementOp::ShearY:
      return aug_shear_pixel(0.0, aws_aug_dmul(element_magnitude(e), (double)sign), src, h, w, c, x, y, ch);
    case ElementOp::TranslateX:
    case ElementOp::TranslateY:
      return aug_translate_pixel(element_op(e) == ElementOp::TranslateX, aug_translate_shift(e, sign, h, w), src, h,
                                 w, c, x, y, ch);
    case ElementOp::Rotate: return aug_rotate_pixel(p.rot, src, h, w, c, x, y, ch);
  }
  return (uint8_t)v;
}

}  // namespace aws
