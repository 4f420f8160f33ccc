// The official element table (names in sorted order, SPEC.md §2) and the host loop that applies
// one element: validation, then the fast host route (augment/elements_fast.cpp). The reference
// route here runs exact histograms → per-image parameters → the shared per-pixel bodies.
#include "augment/elements.h"

#include <array>
#include <string>
#include <vector>

#include "augment/elements_fast.h"
#include "core/error.h"

namespace aws {
namespace {

constexpr std::array<const char*, kNumElements> kNames = {
    "AutoContrast",          "Brightness_mag0.3",     "Brightness_mag0.6",     "Brightness_mag0.9",
    "Color_mag0.3",          "Color_mag0.6",          "Color_mag0.9",          "Contrast_mag0.3",
    "Contrast_mag0.6",       "Contrast_mag0.9",       "Equalize",              "Invert",
    "Posterize_mag4",        "Posterize_mag5",        "Posterize_mag7",        "Rotate_mag10",
    "Rotate_mag20",          "Rotate_mag30",          "Sharpness_mag0.3",      "Sharpness_mag0.6",
    "Sharpness_mag0.9",      "ShearX_mag0.1",         "ShearX_mag0.2",         "ShearX_mag0.3",
    "ShearY_mag0.1",         "ShearY_mag0.2",         "ShearY_mag0.3",         "Solarize_mag0",
    "Solarize_mag171",       "Solarize_mag85.3",      "TranslateX_mag0.151",   "TranslateX_mag0.302",
    "TranslateX_mag0.453",   "TranslateY_mag0.151",   "TranslateY_mag0.302",   "TranslateY_mag0.453",
};

std::array<ElementInfo, kNumElements> make_table() {
  std::array<ElementInfo, kNumElements> t{};
  for (int e = 0; e < kNumElements; ++e)
    t[e] = ElementInfo{kNames[e], element_op(e), element_magnitude(e), element_signed(e)};
  return t;
}

const std::array<ElementInfo, kNumElements> kTable = make_table();

// Pillow's fixed-point rotate path holds while every corner maps below 32768 (check_fixed).
constexpr int kMaxSide = 16384;

}  // namespace

const ElementInfo& element_info(int elem) {
  AWS_ASSERT(elem >= 0 && elem < kNumElements, "element index " + std::to_string(elem) + " out of range");
  return kTable[elem];
}

int element_index(const std::string& name) {
  for (int e = 0; e < kNumElements; ++e)
    if (name == kNames[e]) return e;
  throw UserError("unknown augmentation element '" + name +
                  "' (valid names look like AutoContrast, Rotate_mag10, Solarize_mag85.3, "
                  "TranslateY_mag0.453; 36 in all)");
}

void apply_element(int elem, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  AWS_ASSERT(elem >= 0 && elem < kNumElements, "element index " + std::to_string(elem) + " out of range");
  AWS_ASSERT(c == 1 || c == 3, "apply_element: channels must be 1 or 3");
  AWS_ASSERT(h >= 1 && w >= 1, "apply_element: empty image");
  AWS_ASSERT(src != dst, "apply_element: src and dst must differ");
  if (element_signed(elem)) AWS_ASSERT(sign == 1 || sign == -1, "apply_element: sign must be +1 or -1");
  if (h > kMaxSide || w > kMaxSide)
    throw UserError("augmentation element " + std::string(kNames[elem]) + ": image " + std::to_string(h) + "x" +
                    std::to_string(w) + " is larger than " + std::to_string(kMaxSide) + " pixels per side");

  apply_element_fast(elem, sign, src, dst, h, w, c);
}

void apply_element_reference(int elem, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c) {
  const size_t npix = (size_t)h * w;
  const int nh = element_histogram_count(elem, c);
  std::vector<uint32_t> hist((size_t)nh * 256, 0);
  for (size_t i = 0; i < npix; ++i)
    for (int k = 0; k < nh; ++k) ++hist[(size_t)k * 256 + element_histogram_bin(elem, src + i * c, c, k)];
  ElementParams p;
  element_params_from_histograms(elem, sign, nh ? hist.data() : nullptr, h, w, c, &p);

  const ElementOp op = element_op(elem);
  const size_t n = npix * c;
  switch (op) {  // the pointwise ops skip the per-pixel coordinate work
    case ElementOp::AutoContrast:
    case ElementOp::Equalize:
      for (size_t i = 0; i < n; ++i) dst[i] = p.lut[i % c][src[i]];
      return;
    case ElementOp::Invert:
    case ElementOp::Posterize:
    case ElementOp::Solarize:
    case ElementOp::Brightness:
    case ElementOp::Contrast: {
      uint8_t lut[256];  // one table from the per-pixel body (these ops ignore position)
      for (int v = 0; v < 256; ++v) {
        const uint8_t px[3] = {(uint8_t)v, (uint8_t)v, (uint8_t)v};
        lut[v] = element_pixel(elem, sign, px, 1, 1, c, 0, 0, 0, p);
      }
      for (size_t i = 0; i < n; ++i) dst[i] = lut[src[i]];
      return;
    }
    default:
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int ch = 0; ch < c; ++ch)
            dst[((size_t)y * w + x) * c + ch] = element_pixel(elem, sign, src, h, w, c, x, y, ch, p);
  }
}

}  // namespace aws
