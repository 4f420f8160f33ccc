// The fast host route of the 36 elements (augment/elements_fast.cpp) against the reference route
// (histograms → params → the per-pixel AWS_HD bodies, which the Pillow oracle tests pin down):
// zero differences for every element × sign on random images of several sizes, RGB and gray,
// including narrow-range and constant images (AutoContrast/Equalize edge cases) and tiny images
// (shear/sharpness/translate borders).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "augment/elements.h"
#include "augment/elements_fast.h"

using namespace aws;

namespace {

// Kinds of content: full-range noise, a narrow band, a constant, smooth gradients with noise.
std::vector<uint8_t> make_image(std::mt19937& rng, int h, int w, int c, int kind) {
  std::vector<uint8_t> img((size_t)h * w * c);
  std::uniform_int_distribution<int> any(0, 255), band(100, 131);
  const uint8_t k = (uint8_t)any(rng);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        uint8_t& v = img[((size_t)y * w + x) * c + ch];
        switch (kind) {
          case 0: v = (uint8_t)any(rng); break;
          case 1: v = (uint8_t)band(rng); break;
          case 2: v = k; break;
          default: v = (uint8_t)((x * 7 + y * 5 + ch * 40 + any(rng) % 9) & 255); break;
        }
      }
  return img;
}

}  // namespace

TEST_CASE("augment fast route: every element and sign equals the reference per-pixel route") {
  const int sizes[][2] = {{1, 1}, {1, 7}, {5, 1}, {2, 2}, {3, 3}, {4, 9}, {13, 6}, {28, 28}, {32, 32}, {17, 33}, {40, 24}};
  const unsigned seed = 20261125u;
  std::mt19937 rng(seed);
  int checked = 0;
  for (const auto& hw : sizes) {
    const int h = hw[0], w = hw[1];
    for (int c : {1, 3}) {
      for (int kind = 0; kind < 4; ++kind) {
        const std::vector<uint8_t> src = make_image(rng, h, w, c, kind);
        for (int e = 0; e < kNumElements; ++e) {
          for (int sign : {-1, 1}) {
            std::vector<uint8_t> ref(src.size(), 7), fast(src.size(), 9), pub(src.size(), 11);
            apply_element_reference(e, sign, src.data(), ref.data(), h, w, c);
            apply_element_fast(e, sign, src.data(), fast.data(), h, w, c);
            apply_element(e, sign, src.data(), pub.data(), h, w, c);
            int diffs = 0, first = -1;
            for (size_t i = 0; i < src.size(); ++i)
              if (ref[i] != fast[i] || ref[i] != pub[i]) {
                ++diffs;
                if (first < 0) first = (int)i;
              }
            INFO("seed " << seed << " element " << element_info(e).name << " sign " << sign << " size " << h << "x"
                         << w << "x" << c << " kind " << kind << " first diff at " << first << ": ref "
                         << (first >= 0 ? int(ref[first]) : -1) << " fast " << (first >= 0 ? int(fast[first]) : -1));
            CHECK(diffs == 0);
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked == 11 * 2 * 4 * kNumElements * 2);
}

TEST_CASE("augment fast route: large shear/rotate/translate images equal the reference route") {
  // Coordinates grow with the side: covers rounding of x + 0.5 + shift away from the 32-pixel range.
  const unsigned seed = 77u;
  std::mt19937 rng(seed);
  const int h = 301, w = 517;
  for (int c : {1, 3}) {
    const std::vector<uint8_t> src = make_image(rng, h, w, c, 0);
    for (int e = 0; e < kNumElements; ++e) {
      const ElementOp op = element_op(e);
      if (op != ElementOp::ShearX && op != ElementOp::ShearY && op != ElementOp::Rotate &&
          op != ElementOp::TranslateX && op != ElementOp::TranslateY && op != ElementOp::Sharpness)
        continue;
      for (int sign : {-1, 1}) {
        std::vector<uint8_t> ref(src.size()), fast(src.size());
        apply_element_reference(e, sign, src.data(), ref.data(), h, w, c);
        apply_element_fast(e, sign, src.data(), fast.data(), h, w, c);
        int diffs = 0;
        for (size_t i = 0; i < src.size(); ++i) diffs += ref[i] != fast[i];
        INFO("seed " << seed << " element " << element_info(e).name << " sign " << sign << " c " << c);
        CHECK(diffs == 0);
      }
    }
  }
}
