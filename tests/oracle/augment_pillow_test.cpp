// The 36 augmentation elements against Pillow 9.4 (SPEC.md §4): every element × sign, on real
// Fashion-MNIST images, seeded random RGB, low-contrast, few-level, all-values and odd-size images,
// with zero differing pixels; plus the AutoContrast table over all (lo, hi) pairs, Equalize tables
// over random and edge-case histograms, and the element table and rotate coefficients as Pillow and
// numpy compute them. Both host paths are checked: apply_element and the per-pixel decomposition
// (histograms → element_params_from_histograms → element_pixel) that the CUDA kernel runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "augment/elements.h"
#include "tests/support/oracle.h"
#include "tests/support/pillow_space.h"

using namespace aws;
using namespace aws::test;

namespace {

// Python side: the element space exactly as the authors' code builds it, applied as they apply it.
const std::string kPillowDefs = std::string(R"PY(
import gzip, math
from PIL import Image, ImageEnhance, ImageOps
)PY") + kPillowSpace + R"PY(
def to_pil(a):
    return Image.fromarray(np.ascontiguousarray(a[:, :, 0]), 'L') if a.shape[2] == 1 else Image.fromarray(np.ascontiguousarray(a), 'RGB')
def apply_all(imgs):
    n, h, w, c = imgs.shape
    out = np.zeros((n, len(ELS), 2, h, w, c), np.uint8)
    for k in range(n):
        img = to_pil(imgs[k])
        for e, (_, op, m) in enumerate(ELS):
            for si, s in enumerate((1, -1)):
                out[k, e, si] = np.asarray(apply(img, op, m, s)).reshape(h, w, c)
    return out
)PY";

struct ImageSet {
  std::string name;
  int n = 0, h = 0, w = 0, c = 0;
  std::vector<uint8_t> data;  // n × h × w × c
};

// The CUDA kernel's decomposition, run on the host: histograms → params → per-pixel body.
std::vector<uint8_t> apply_by_pixel(int e, int s, const uint8_t* src, int h, int w, int c) {
  const int nh = element_histogram_count(e, c);
  std::vector<uint32_t> hist(size_t(nh) * 256 + 1, 0);
  for (int i = 0; i < h * w; ++i)
    for (int k = 0; k < nh; ++k) ++hist[size_t(k) * 256 + element_histogram_bin(e, src + size_t(i) * c, c, k)];
  ElementParams p;
  element_params_from_histograms(e, s, hist.data(), h, w, c, &p);
  std::vector<uint8_t> out(size_t(h) * w * c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) out[(size_t(y) * w + x) * c + ch] = element_pixel(e, s, src, h, w, c, x, y, ch, p);
  return out;
}

// Compares every element × sign of every image in the set with Pillow; reports the first mismatch.
void check_against_pillow(const ImageSet& set, const Array& pillow) {
  const size_t img = size_t(set.h) * set.w * set.c;
  REQUIRE(pillow.shape == std::vector<int64_t>{set.n, kNumElements, 2, set.h, set.w, set.c});
  int64_t differing = 0;
  std::string first;
  std::vector<uint8_t> ours(img);
  for (int k = 0; k < set.n; ++k) {
    const uint8_t* src = set.data.data() + k * img;
    for (int e = 0; e < kNumElements; ++e)
      for (int si = 0; si < 2; ++si) {
        const int s = si == 0 ? 1 : -1;
        const uint8_t* ref = pillow.as<uint8_t>() + ((size_t(k) * kNumElements + e) * 2 + si) * img;
        apply_element(e, s, src, ours.data(), set.h, set.w, set.c);
        const std::vector<uint8_t> by_pixel = apply_by_pixel(e, s, src, set.h, set.w, set.c);
        for (size_t i = 0; i < img; ++i) {
          if (ours[i] == ref[i] && by_pixel[i] == ref[i]) continue;
          if (differing++ == 0)
            first = std::string(element_info(e).name) + " sign " + std::to_string(s) + " image " + std::to_string(k) +
                    " (y,x,ch)=(" + std::to_string(i / set.c / set.w) + "," + std::to_string(i / set.c % set.w) +
                    "," + std::to_string(i % set.c) + "): apply_element " + std::to_string(ours[i]) +
                    ", element_pixel " + std::to_string(by_pixel[i]) + ", Pillow " + std::to_string(ref[i]);
        }
      }
  }
  INFO("set ", set.name, " (", set.n, "×", set.h, "×", set.w, "×", set.c, "); first mismatch: ", first);
  CHECK(differing == 0);
}

// One Python run for all sets (sizes may differ): I['imgs<k>'] → O['out<k>'].
void check_sets(const std::vector<ImageSet>& sets) {
  Arrays in;
  for (size_t k = 0; k < sets.size(); ++k) {
    const ImageSet& s = sets[k];
    in["imgs" + std::to_string(k)] = array_u8({s.n, s.h, s.w, s.c}, s.data.data());
  }
  Arrays out = run_python(std::string(kPillowDefs) +
                              "for _k in range(" + std::to_string(sets.size()) +
                              "):\n    O[f'out{_k}'] = apply_all(I[f'imgs{_k}'])\n",
                          in);
  for (size_t k = 0; k < sets.size(); ++k) check_against_pillow(sets[k], out.at("out" + std::to_string(k)));
}

enum class Fill { Uniform, LowContrast, FewLevels, Smooth };

ImageSet make_set(const std::string& name, int n, int h, int w, int c, Fill fill, uint64_t seed) {
  ImageSet s{name, n, h, w, c, std::vector<uint8_t>(size_t(n) * h * w * c)};
  std::mt19937_64 rng(seed);
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int k = 0; k < n; ++k) {
    uint8_t* im = s.data.data() + size_t(k) * h * w * c;
    int lo[3], span[3], levels[3][5], nlev = uni(2, 5);
    for (int ch = 0; ch < 3; ++ch) {
      lo[ch] = uni(0, 230);
      span[ch] = uni(0, std::min(25, 255 - lo[ch]));
      for (int l = 0; l < 5; ++l) levels[ch][l] = uni(0, 255);
    }
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int ch = 0; ch < c; ++ch) {
          int v = 0;
          switch (fill) {
            case Fill::Uniform: v = uni(0, 255); break;
            case Fill::LowContrast: v = lo[ch] + uni(0, span[ch]); break;
            case Fill::FewLevels: v = levels[ch][uni(0, nlev - 1)]; break;
            case Fill::Smooth: v = std::clamp(lo[ch] / 2 + (x * 7 + y * 5) * (ch + 1) % 160 + uni(-6, 6), 0, 255); break;
          }
          im[(size_t(y) * w + x) * c + ch] = uint8_t(v);
        }
  }
  return s;
}

}  // namespace

TEST_CASE("augment oracle: the element table is the authors' sorted numpy.linspace construction") {
  Arrays out = run_python(std::string(kPillowDefs) +
                              "O['names'] = np.frombuffer('\\n'.join(t[0] for t in ELS).encode(), np.uint8)\n"
                              "O['mags'] = np.array([t[2] for t in ELS], np.float64)\n",
                          {});
  const Array& names = out.at("names");
  std::string joined(names.as<char>(), names.as<char>() + names.numel());
  std::string ours;
  for (int e = 0; e < kNumElements; ++e) ours += std::string(e ? "\n" : "") + element_info(e).name;
  CHECK(joined == ours);
  const std::vector<double> mags = out.at("mags").to_f64();
  REQUIRE(mags.size() == size_t(kNumElements));
  for (int e = 0; e < kNumElements; ++e) {
    INFO("element ", element_info(e).name);
    CHECK(element_info(e).magnitude == mags[e]);  // exact double equality
  }
}

TEST_CASE("augment oracle: real Fashion-MNIST images, every element × sign, zero differing pixels") {
  Arrays out = run_python(std::string(kPillowDefs) + R"PY(
with gzip.open('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', 'rb') as f:
    raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
imgs = raw[np.r_[0:40, 1000:1010, 59990:60000]].copy()
O['imgs'] = imgs
O['out'] = apply_all(imgs)
)PY",
                          {});
  const Array& imgs = out.at("imgs");
  REQUIRE(imgs.shape == std::vector<int64_t>{60, 28, 28, 1});
  ImageSet set{"fashion-mnist", 60, 28, 28, 1,
               std::vector<uint8_t>(imgs.as<uint8_t>(), imgs.as<uint8_t>() + imgs.numel())};
  check_against_pillow(set, out.at("out"));
}

TEST_CASE("augment oracle: seeded random RGB 32x32 and 28x28") {
  const uint64_t seed = test_seed(1234);
  INFO("seed ", seed);
  check_sets({make_set("uniform rgb 32", 12, 32, 32, 3, Fill::Uniform, seed),
              make_set("smooth rgb 32", 12, 32, 32, 3, Fill::Smooth, seed + 1),
              make_set("uniform rgb 28", 6, 28, 28, 3, Fill::Uniform, seed + 2),
              make_set("smooth gray 32", 6, 32, 32, 1, Fill::Smooth, seed + 3)});
}

TEST_CASE("augment oracle: low-contrast and few-level images (RGB and gray)") {
  const uint64_t seed = test_seed(77);
  INFO("seed ", seed);
  check_sets({make_set("low-contrast rgb", 16, 32, 32, 3, Fill::LowContrast, seed),
              make_set("low-contrast gray", 16, 28, 28, 1, Fill::LowContrast, seed + 1),
              make_set("few-level rgb", 16, 32, 32, 3, Fill::FewLevels, seed + 2),
              make_set("few-level gray", 16, 28, 28, 1, Fill::FewLevels, seed + 3)});
}

TEST_CASE("augment oracle: odd sizes") {
  const uint64_t seed = test_seed(4242);
  INFO("seed ", seed);
  const int sizes[][2] = {{5, 7}, {31, 29}, {1, 1}, {2, 3}, {3, 3}, {3, 2}, {1, 9}, {9, 1}, {4, 4}, {17, 40}};
  std::vector<ImageSet> sets;
  for (auto [h, w] : sizes)
    for (int c : {1, 3}) {
      const std::string tag = std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c);
      sets.push_back(make_set("odd uniform " + tag, 3, h, w, c, Fill::Uniform, seed + h * 100 + w + c));
      sets.push_back(make_set("odd low-contrast " + tag, 3, h, w, c, Fill::LowContrast, seed + h * 100 + w + c + 7));
    }
  check_sets(sets);
}

TEST_CASE("augment oracle: all 256 values and many (gray, value) blend pairs") {
  ImageSet all_gray{"all values gray", 1, 16, 16, 1, std::vector<uint8_t>(256)};
  for (int v = 0; v < 256; ++v) all_gray.data[v] = uint8_t(v);

  ImageSet grid{"rgb grid 256", 1, 256, 256, 3, std::vector<uint8_t>(size_t(256) * 256 * 3)};
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 256; ++x) {
      uint8_t* p = grid.data.data() + (size_t(y) * 256 + x) * 3;
      p[0] = uint8_t(x), p[1] = uint8_t(y), p[2] = uint8_t((x * 3 + y * 5) & 255);
    }
  check_sets({all_gray, grid});
}

TEST_CASE("augment oracle: AutoContrast table over all 32,640 (lo, hi) pairs") {
  // Image k, channel ch holds clip(0..255, lo, hi) of pair 3k + ch: its histogram has exactly that lo/hi.
  std::vector<std::pair<int, int>> pairs;
  for (int lo = 0; lo < 256; ++lo)
    for (int hi = lo + 1; hi < 256; ++hi) pairs.push_back({lo, hi});
  REQUIRE(pairs.size() == 32640);
  const int n = int(pairs.size() / 3);
  std::vector<uint8_t> imgs(size_t(n) * 256 * 3);
  for (int k = 0; k < n; ++k)
    for (int ch = 0; ch < 3; ++ch)
      for (int v = 0; v < 256; ++v)
        imgs[(size_t(k) * 256 + v) * 3 + ch] = uint8_t(std::clamp(v, pairs[3 * k + ch].first, pairs[3 * k + ch].second));
  Arrays out = run_python(
      std::string(kPillowDefs) +
          "O['out'] = np.stack([np.asarray(ImageOps.autocontrast(Image.fromarray(a, 'RGB'))) for a in I['imgs']])\n",
      {{"imgs", array_u8({n, 1, 256, 3}, imgs.data())}});
  const Array& ref = out.at("out");
  REQUIRE(ref.numel() == int64_t(imgs.size()));
  std::vector<uint8_t> ours(256 * 3);
  int64_t differing = 0, lut_hi_254 = 0;
  const int ac = element_index("AutoContrast");
  for (int k = 0; k < n; ++k) {
    apply_element(ac, 1, imgs.data() + size_t(k) * 768, ours.data(), 1, 256, 3);
    for (int i = 0; i < 768; ++i) {
      const uint8_t r = ref.as<uint8_t>()[size_t(k) * 768 + i];
      if (ours[i] != r && differing++ == 0) {
        auto [lo, hi] = pairs[3 * k + i % 3];
        MESSAGE("first mismatch lo=", lo, " hi=", hi, " v=", int(imgs[size_t(k) * 768 + i]), " ours ", int(ours[i]),
                " Pillow ", int(r));
      }
    }
    for (int ch = 0; ch < 3; ++ch) lut_hi_254 += ours[255 * 3 + ch] == 254;  // v = 255 maps to hi
  }
  CHECK(differing == 0);
  CHECK(lut_hi_254 == 4852);  // SPEC.md §4: lut[hi] is 254 for 4,852 pairs
}

TEST_CASE("augment oracle: Equalize tables on random and edge-case histograms") {
  const uint64_t seed = test_seed(99);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = 600, len = 1024;  // 1×1024 gray images with crafted histograms
  std::vector<uint8_t> imgs(size_t(n) * len);
  for (int k = 0; k < n; ++k) {
    std::vector<int> hist(256, 0);
    if (k == 0) hist[7] = len;                             // one bin → identity
    else if (k == 1) hist[0] = 511, hist[200] = len - 511;  // step 2, lut clamps 256 → 255
    else if (k == 2) hist[3] = 300, hist[250] = len - 300;
    else if (k == 3) hist[10] = 200, hist[255] = len - 200;  // step 0 → identity
    else {
      const int bins = uni(2, k % 4 == 0 ? 256 : 12);
      std::vector<int> which(256);
      for (int v = 0; v < 256; ++v) which[v] = v;
      std::shuffle(which.begin(), which.end(), rng);
      int left = len;
      for (int b = 0; b < bins - 1 && left > 0; ++b) {
        const int take = std::min(left, k % 3 == 0 ? uni(1, len / bins + 1) : uni(1, std::max(1, left / 2)));
        hist[which[b]] += take, left -= take;
      }
      hist[which[bins - 1]] += left;
    }
    int pos = 0;
    for (int v = 0; v < 256; ++v)
      for (int i = 0; i < hist[v]; ++i) imgs[size_t(k) * len + pos++] = uint8_t(v);
    REQUIRE(pos == len);
    std::shuffle(imgs.begin() + size_t(k) * len, imgs.begin() + size_t(k + 1) * len, rng);
  }
  Arrays out = run_python(
      std::string(kPillowDefs) +
          "O['out'] = np.stack([np.asarray(ImageOps.equalize(Image.fromarray(a[:, :, 0], 'L'))) for a in I['imgs']])\n",
      {{"imgs", array_u8({n, 1, len, 1}, imgs.data())}});
  const Array& ref = out.at("out");
  REQUIRE(ref.numel() == int64_t(imgs.size()));
  const int eq = element_index("Equalize");
  std::vector<uint8_t> ours(len);
  int64_t differing = 0;
  for (int k = 0; k < n; ++k) {
    apply_element(eq, 1, imgs.data() + size_t(k) * len, ours.data(), 1, len, 1);
    for (int i = 0; i < len; ++i) {
      const uint8_t r = ref.as<uint8_t>()[size_t(k) * len + i];
      if (ours[i] != r && differing++ == 0)
        MESSAGE("first mismatch image ", k, " v=", int(imgs[size_t(k) * len + i]), " ours ", int(ours[i]), " Pillow ",
                int(r));
    }
  }
  CHECK(differing == 0);
}

TEST_CASE("augment oracle: rotate 16.16 coefficients equal those Pillow derives from Image.rotate's matrix") {
  // Capture the matrix Image.rotate hands to Image.transform, then apply affine_fixed's FIX in Python.
  Arrays out = run_python(std::string(kPillowDefs) + R"PY(
cap = []
_orig = Image.Image.transform
def _spy(self, size, method, data=None, *a, **k):
    cap.append(list(data))
    return _orig(self, size, method, data, *a, **k)
Image.Image.transform = _spy
def FIX(v):
    v = v * 65536.0 + 0.5
    return math.floor(v) if v < 0 else int(v)
rows = []
cs = []
for (h, w) in [(32, 32), (28, 28), (5, 7), (1, 1), (31, 29), (2, 3), (256, 256)]:
    for m in (10.0, 20.0, 30.0):
        for s in (1, -1):
            Image.new('L', (w, h)).rotate(m * s)
            a = cap[-1]
            cs.append([a[0], a[1]])
            rows.append([FIX(a[0]), FIX(a[1]), FIX(a[2] + a[0] * 0.5 + a[1] * 0.5),
                         FIX(a[3]), FIX(a[4]), FIX(a[5] + a[3] * 0.5 + a[4] * 0.5)])
O['fix'] = np.array(rows, np.int64)
O['cs'] = np.array(cs, np.float64)
)PY",
                          {});
  const std::vector<double> fix = out.at("fix").to_f64();
  const int sizes[][2] = {{32, 32}, {28, 28}, {5, 7}, {1, 1}, {31, 29}, {2, 3}, {256, 256}};
  size_t row = 0;
  for (auto [h, w] : sizes)
    for (int level = 0; level < 3; ++level)
      for (int s : {1, -1}) {
        int32_t a[6];
        aug_rotate_fixed(15 + level, s, h, w, a);
        double c, sn;
        aug_rotate_cos_sin(15 + level, s, &c, &sn);
        CHECK(c == out.at("cs").to_f64()[row * 2]);  // Python's round(cos, 15), exactly
        CHECK(sn == out.at("cs").to_f64()[row * 2 + 1]);
        for (int i = 0; i < 6; ++i) {
          INFO("size ", h, "x", w, " Rotate level ", level, " sign ", s, " a", i);
          CHECK(double(a[i]) == fix[row * 6 + i]);
        }
        ++row;
      }
}
