// The element table (SPEC.md §2: names, order, signedness, exact magnitudes), name lookup errors,
// and the exact constants SPEC.md §4 pins down: enhance factors as float32 bits, SMOOTH weights,
// rotate 16.16 coefficients, translate shift sizes; plus the grayscale identities.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "augment/elements.h"
#include "core/error.h"

using namespace aws;

namespace {

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Pillow's ImagingScaleAffine source column for output x: xo = t + 0.5, then xo += 1.0 per pixel.
std::vector<int> pillow_scale_coords(double t, int n) {
  std::vector<int> out(n);
  double xo = t + 0.5;
  for (int x = 0; x < n; ++x) {
    out[x] = xo < 0.0 ? -1 : int(xo);
    xo += 1.0;
  }
  return out;
}

}  // namespace

TEST_CASE("augment elements: the 36 official names in sorted order, ops, signs and exact magnitudes") {
  struct Row {
    const char* name;
    ElementOp op;
    double mag;
    bool is_signed;
  };
  const Row rows[kNumElements] = {
      {"AutoContrast", ElementOp::AutoContrast, 0.0, false},
      {"Brightness_mag0.3", ElementOp::Brightness, 0.30000000000000004, true},
      {"Brightness_mag0.6", ElementOp::Brightness, 0.6000000000000001, true},
      {"Brightness_mag0.9", ElementOp::Brightness, 0.9, true},
      {"Color_mag0.3", ElementOp::Color, 0.30000000000000004, true},
      {"Color_mag0.6", ElementOp::Color, 0.6000000000000001, true},
      {"Color_mag0.9", ElementOp::Color, 0.9, true},
      {"Contrast_mag0.3", ElementOp::Contrast, 0.30000000000000004, true},
      {"Contrast_mag0.6", ElementOp::Contrast, 0.6000000000000001, true},
      {"Contrast_mag0.9", ElementOp::Contrast, 0.9, true},
      {"Equalize", ElementOp::Equalize, 0.0, false},
      {"Invert", ElementOp::Invert, 0.0, false},
      {"Posterize_mag4", ElementOp::Posterize, 4.0, false},
      {"Posterize_mag5", ElementOp::Posterize, 5.0, false},
      {"Posterize_mag7", ElementOp::Posterize, 7.0, false},
      {"Rotate_mag10", ElementOp::Rotate, 10.0, true},
      {"Rotate_mag20", ElementOp::Rotate, 20.0, true},
      {"Rotate_mag30", ElementOp::Rotate, 30.0, true},
      {"Sharpness_mag0.3", ElementOp::Sharpness, 0.30000000000000004, true},
      {"Sharpness_mag0.6", ElementOp::Sharpness, 0.6000000000000001, true},
      {"Sharpness_mag0.9", ElementOp::Sharpness, 0.9, true},
      {"ShearX_mag0.1", ElementOp::ShearX, 0.1, true},
      {"ShearX_mag0.2", ElementOp::ShearX, 0.2, true},
      {"ShearX_mag0.3", ElementOp::ShearX, 0.3, true},
      {"ShearY_mag0.1", ElementOp::ShearY, 0.1, true},
      {"ShearY_mag0.2", ElementOp::ShearY, 0.2, true},
      {"ShearY_mag0.3", ElementOp::ShearY, 0.3, true},
      {"Solarize_mag0", ElementOp::Solarize, 0.0, false},
      {"Solarize_mag171", ElementOp::Solarize, 170.66666666666669, false},
      {"Solarize_mag85.3", ElementOp::Solarize, 85.33333333333334, false},
      {"TranslateX_mag0.151", ElementOp::TranslateX, 0.15105740181268884, true},
      {"TranslateX_mag0.302", ElementOp::TranslateX, 0.3021148036253777, true},
      {"TranslateX_mag0.453", ElementOp::TranslateX, 0.45317220543806647, true},
      {"TranslateY_mag0.151", ElementOp::TranslateY, 0.15105740181268884, true},
      {"TranslateY_mag0.302", ElementOp::TranslateY, 0.3021148036253777, true},
      {"TranslateY_mag0.453", ElementOp::TranslateY, 0.45317220543806647, true},
  };
  for (int e = 0; e < kNumElements; ++e) {
    INFO("element ", e, " ", rows[e].name);
    const ElementInfo& info = element_info(e);
    CHECK(std::string(info.name) == rows[e].name);
    CHECK(info.op == rows[e].op);
    CHECK(info.magnitude == rows[e].mag);  // exact
    CHECK(info.is_signed == rows[e].is_signed);
    CHECK(element_index(rows[e].name) == e);
    if (e > 0) CHECK(std::string(element_info(e - 1).name) < std::string(info.name));  // sorted
  }
  CHECK(element_histogram_count(element_index("AutoContrast"), 3) == 3);
  CHECK(element_histogram_count(element_index("Equalize"), 1) == 1);
  CHECK(element_histogram_count(element_index("Contrast_mag0.9"), 3) == 1);
  CHECK(element_histogram_count(element_index("Rotate_mag20"), 3) == 0);
}

TEST_CASE("augment elements: unknown names are a UserError naming the name and valid ones") {
  for (const char* bad : {"", "autocontrast", "Rotate_mag15", "Solarize_mag85.33", "Invert "}) {
    INFO("name '", bad, "'");
    try {
      element_index(bad);
      FAIL("no error");
    } catch (const UserError& e) {
      const std::string msg = e.what();
      CHECK(msg.find(std::string("'") + bad + "'") != std::string::npos);
      CHECK(msg.find("Rotate_mag10") != std::string::npos);
    }
  }
}

TEST_CASE("augment elements: enhance factors, SMOOTH weights and rotate coefficients as SPEC.md §4 pins them") {
  const int bright = element_index("Brightness_mag0.3");
  const uint32_t expect[3][2] = {{0x3FA66666, 0x3F333333}, {0x3FCCCCCD, 0x3ECCCCCD}, {0x3FF33333, 0x3DCCCCCD}};
  for (int l = 0; l < 3; ++l) {
    CHECK(float_bits(aug_enhance_alpha(bright + l, +1)) == expect[l][0]);
    CHECK(float_bits(aug_enhance_alpha(bright + l, -1)) == expect[l][1]);
  }
  CHECK(float_bits(1.f / 13.f) == 0x3D9D89D9u);
  CHECK(float_bits(5.f / 13.f) == 0x3EC4EC4Fu);
  const int rot = element_index("Rotate_mag10");
  const int32_t a01[3][2] = {{64540, 11380}, {61584, 22415}, {56756, 32768}};
  for (int l = 0; l < 3; ++l)
    for (int s : {1, -1}) {
      int32_t a[6];
      aug_rotate_fixed(rot + l, s, 32, 32, a);
      INFO("Rotate level ", l, " sign ", s);
      CHECK(a[0] == a01[l][0]);
      CHECK(a[4] == a01[l][0]);
      CHECK(std::abs(a[1]) == a01[l][1]);
      CHECK(a[3] == -a[1]);
      CHECK((a[1] < 0) == (s > 0));  // Pillow's matrix uses angle −θ
    }
}

TEST_CASE("augment elements: translate shifts ±5/10/15 px at 32 and ±4/8/13 px at 28, fill 128") {
  struct Case {
    int size, shifts[3];
  };
  for (Case cs : {Case{32, {5, 10, 15}}, Case{28, {4, 8, 13}}}) {
    const int n = cs.size;
    std::vector<uint8_t> src(size_t(n) * n), dst(src.size());
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) src[size_t(y) * n + x] = uint8_t(x + 100 * (y & 1));  // never 128
    for (int axis = 0; axis < 2; ++axis)
      for (int l = 0; l < 3; ++l)
        for (int s : {1, -1}) {
          const int e = element_index(axis == 0 ? "TranslateX_mag0.151" : "TranslateY_mag0.151") + l;
          apply_element(e, s, src.data(), dst.data(), n, n, 1);
          const int shift = s * cs.shifts[l];  // content moves left/up by `shift` for s = +1
          int bad = 0;
          for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x) {
              const int sx = axis == 0 ? x + shift : x, sy = axis == 0 ? y : y + shift;
              const int want = (sx < 0 || sx >= n || sy < 0 || sy >= n) ? 128 : src[size_t(sy) * n + sx];
              bad += dst[size_t(y) * n + x] != want;
            }
          INFO("size ", n, " ", element_info(e).name, " sign ", s);
          CHECK(bad == 0);
        }
  }
}

TEST_CASE("augment elements: translate's closed-form coordinate equals Pillow's accumulated one for every size") {
  int bad = 0;
  for (int n = 1; n <= 1024; ++n)
    for (int l = 0; l < 3; ++l)
      for (int s : {1, -1}) {
        const int e = element_index("TranslateX_mag0.151") + l;
        const double t = aug_translate_shift(e, s, n, n);
        const std::vector<int> ref = pillow_scale_coords(t, n);
        for (int x = 0; x < n; ++x) bad += aug_translate_coord(t, x) != ref[x];
      }
  CHECK(bad == 0);
}

TEST_CASE("augment elements: grayscale identities and unsigned elements ignore the sign") {
  const uint64_t seed = 31;
  INFO("seed ", seed);
  std::mt19937 rng(seed);
  const int h = 28, w = 28;
  std::vector<uint8_t> src(h * w), a(src.size()), b(src.size());
  for (auto& v : src) v = uint8_t(rng());
  for (int l = 0; l < 3; ++l)
    for (int s : {1, -1}) {
      apply_element(element_index("Color_mag0.3") + l, s, src.data(), a.data(), h, w, 1);
      CHECK(a == src);
    }
  apply_element(element_index("Solarize_mag0"), 1, src.data(), a.data(), h, w, 1);
  apply_element(element_index("Invert"), 1, src.data(), b.data(), h, w, 1);
  CHECK(a == b);
  for (int e = 0; e < kNumElements; ++e) {
    if (element_info(e).is_signed) continue;
    apply_element(e, 1, src.data(), a.data(), h, w, 1);
    apply_element(e, -1, src.data(), b.data(), h, w, 1);
    INFO(element_info(e).name);
    CHECK(a == b);
  }
}

TEST_CASE("augment elements: images beyond Pillow's fixed-point range are a UserError") {
  std::vector<uint8_t> src(16385), dst(16385);
  CHECK_THROWS_AS(apply_element(element_index("Rotate_mag10"), 1, src.data(), dst.data(), 16385, 1, 1), UserError);
  CHECK_NOTHROW(apply_element(element_index("Rotate_mag10"), 1, src.data(), dst.data(), 16384, 1, 1));
}
