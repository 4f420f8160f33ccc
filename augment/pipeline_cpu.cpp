// The fused augmentation pass on the cpu: OpenMP over images, each image through the AWS_HD bodies
// of kernels/augment_image_ops.h and the element bodies, two scratch images per thread held by the plan.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "augment/elements.h"
#include "augment/pipeline.h"

namespace aws {

namespace {

void write_out(const uint8_t* img, const AugmentParams& p, const ImageDraws& d, const NormTable& L, float* out) {
  const int c = p.c;
  const size_t count = size_t(p.h) * p.w * c;
  if (c == 1) {
    for (size_t i = 0; i < count; ++i) out[i] = L.lut[img[i]];
  } else {
    for (size_t i = 0; i < count; i += 3) {
      out[i] = L.lut[img[i]];
      out[i + 1] = L.lut[256 + img[i + 1]];
      out[i + 2] = L.lut[512 + img[i + 2]];
    }
  }
  if (p.cutout > 0) {
    const int y0 = std::max(0, d.cut_y - p.cutout / 2), y1 = std::min(p.h, d.cut_y - p.cutout / 2 + p.cutout);
    const int x0 = std::max(0, d.cut_x - p.cutout / 2), x1 = std::min(p.w, d.cut_x - p.cutout / 2 + p.cutout);
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        for (int ch = 0; ch < c; ++ch) out[(size_t(y) * p.w + x) * c + ch] = L.cut[ch];
  }
}

// The augmented pixels themselves (the pass's u8 output): Cutout is 0, nothing is normalized.
void write_out_u8(const uint8_t* img, const AugmentParams& p, const ImageDraws& d, uint8_t* out) {
  const size_t row = size_t(p.w) * p.c;
  std::memcpy(out, img, row * p.h);
  if (p.cutout > 0) {
    const int y0 = std::max(0, d.cut_y - p.cutout / 2), y1 = std::min(p.h, d.cut_y - p.cutout / 2 + p.cutout);
    const int x0 = std::max(0, d.cut_x - p.cutout / 2), x1 = std::min(p.w, d.cut_x - p.cutout / 2 + p.cutout);
    for (int y = y0; y < y1; ++y)
      if (x1 > x0) std::memset(out + size_t(y) * row + size_t(x0) * p.c, 0, size_t(x1 - x0) * p.c);
  }
}

// crop_flip_source (kernels/augment_image_ops.h) in row form for the whole image: per row one memset
// of the zero padding and one copy (reversed pixel order when flipped) of the valid source span.
void crop_flip_image(const uint8_t* src, uint8_t* dst, const AugmentParams& p, const ImageDraws& d) {
  const int c = p.c, w = p.w;
  const size_t stride = size_t(w) * c;
  const int shift = d.crop_x - p.crop_pad;  // unflipped output x reads source x + shift
  const int x0 = std::max(0, -shift), x1 = std::min(w, w - shift);  // unflipped valid outputs [x0, x1)
  for (int y = 0; y < p.h; ++y) {
    const int sy = y + d.crop_y - p.crop_pad;
    uint8_t* o = dst + size_t(y) * stride;
    if (sy < 0 || sy >= p.h || x0 >= x1) {
      std::memset(o, 0, stride);
      continue;
    }
    const uint8_t* r = src + size_t(sy) * stride;
    if (!d.flip) {
      std::memset(o, 0, size_t(x0) * c);
      std::memcpy(o + size_t(x0) * c, r + size_t(x0 + shift) * c, size_t(x1 - x0) * c);
      std::memset(o + size_t(x1) * c, 0, size_t(w - x1) * c);
    } else {  // output x reads unflipped position w − 1 − x
      std::memset(o, 0, stride);
      if (c == 3) {
        for (int u = x0; u < x1; ++u) {
          const uint8_t* s = r + size_t(u + shift) * 3;
          uint8_t* t = o + size_t(w - 1 - u) * 3;
          t[0] = s[0], t[1] = s[1], t[2] = s[2];
        }
      } else {
        for (int u = x0; u < x1; ++u) o[w - 1 - u] = r[u + shift];
      }
    }
  }
}

int worker_count(const Ctx& ctx, int n) {
  int t = ctx.threads > 0 ? ctx.threads : omp_get_max_threads();
  return std::max(1, std::min(t, n));
}

}  // namespace

void augment_batch_cpu(Ctx& ctx, std::vector<uint8_t>& scratch_images, const AugmentPassArgs& a) {
  const int n = a.n;
  if (n <= 0) return;
  const AugmentParams& p = a.params;
  const size_t img = size_t(p.h) * p.w * p.c;
  const int threads = worker_count(ctx, n);
  if (scratch_images.size() < 2 * img * size_t(threads)) scratch_images.resize(2 * img * size_t(threads));
  const NormTable& L = *a.norm;
  const uint64_t stream = a.stream, *cdf = a.cdf;
  const uint8_t* images = a.images;
  const int32_t* indices = a.indices;
  float* out = a.out;
  uint8_t* out_u8 = a.out_u8;
  uint8_t* scratch = scratch_images.data();
  ImageDraws* draws = a.draws;
  int32_t* pair_counts = a.pair_counts;

#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (int b = 0; b < n; ++b) {
    uint8_t* buf[2] = {scratch + 2 * img * size_t(omp_get_thread_num()), nullptr};
    buf[1] = buf[0] + img;
    const uint32_t index = uint32_t(indices[b]);
    const ImageDraws d = draw_image(p, cdf, stream, index);
    const uint8_t* cur = images + size_t(a.in_order ? uint32_t(b) : index) * img;
    int next = 0;  // the scratch buffer the next step writes
    if (p.crop_pad > 0 || d.flip) {
      crop_flip_image(cur, buf[next], p, d);
      cur = buf[next];
      next ^= 1;
    }
    const int ops[2] = {d.op1, d.op2}, signs[2] = {d.sign1, d.sign2};
    for (int t = 0; t < 2; ++t) {
      if (ops[t] < 0 || ops[t] >= kElements) continue;  // no pair-op, or the identity letter
      apply_element(ops[t], signs[t], cur, buf[next], p.h, p.w, p.c);
      cur = buf[next];
      next ^= 1;
    }
    if (out_u8) write_out_u8(cur, p, d, out_u8 + size_t(b) * img);
    else write_out(cur, p, d, L, out + size_t(b) * img);
    if (draws) draws[b] = d;
    if (pair_counts && d.pair >= 0) {
#pragma omp atomic
      pair_counts[d.pair] += 1;
    }
  }
}

void normalize_batch_cpu(Ctx& ctx, const AugmentPassArgs& a) {
  const int n = a.n;
  if (n <= 0) return;
  const AugmentParams& p = a.params;
  const size_t img = size_t(p.h) * p.w * p.c;
  const ImageDraws none;
#pragma omp parallel for schedule(static) num_threads(worker_count(ctx, n))
  for (int b = 0; b < n; ++b)
    write_out(a.images + size_t(a.in_order ? b : a.indices[b]) * img, p, none, *a.norm, a.out + size_t(b) * img);
}

}  // namespace aws
