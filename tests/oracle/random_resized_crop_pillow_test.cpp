// The streamed ImageNet crop against Pillow/torchvision: a region decoded with jpeg_skip_scanlines and
// jpeg_crop_scanline equals the same pixels of a whole decode at every DCT scale; the crop + resize +
// flip equals torchvision's F.resized_crop + F.hflip for the same box; decode_crop equals Pillow's
// draft() + crop + resize of the box on the scaled grid; the boxes follow RandomResizedCrop's rules and
// their area and aspect distributions match torchvision's get_params (means within 4 standard errors).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/data/random_resized_crop.h"
#include "engine/io/image_io.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"

using namespace aws;
using namespace aws::test;

namespace {

// A 4:2:0 RGB JPEG, a 4:4:4 one, a progressive one and a grayscale one, each 301×227.
const char* kMake = R"PY(
import numpy as np
from PIL import Image
rng = np.random.RandomState(3)
h, w = 227, 301
y, x = np.mgrid[0:h, 0:w]
base = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1)
img = Image.fromarray(np.clip(base + rng.randint(-40, 41, base.shape), 0, 255).astype(np.uint8), 'RGB')
img.save(DIR + '/a.jpg', quality=90)
img.save(DIR + '/b.jpg', quality=85, subsampling=0)
img.save(DIR + '/c.jpg', quality=80, progressive=True)
img.convert('L').save(DIR + '/d.jpg', quality=90)
)PY";

std::string make_jpegs() {
  static const TempDir dir("aws_rrc_test");
  static const bool made = (run_python("DIR = '" + dir.path + "'\n" + kMake, {}), true);
  (void)made;
  return dir.path;
}

}  // namespace

TEST_CASE("decode_jpeg_region: skipped rows and cropped columns change nothing in the region read") {
  const std::string dir = make_jpegs();
  for (const char* f : {"a.jpg", "b.jpg", "c.jpg", "d.jpg"}) {
    const std::vector<uint8_t> bytes = read_file_bytes(dir + "/" + f);
    for (int s : {1, 2, 4, 8}) {
      const Image full = decode_image(bytes.data(), bytes.size(), f, s);
      for (auto [y0, y1] : std::vector<std::pair<int, int>>{{0, 5}, {7, 40}, {17, full.h}, {full.h - 3, full.h}})
        for (auto [x0, x1] : std::vector<std::pair<int, int>>{
                 {0, full.w}, {0, 9}, {5, 33}, {16, 17}, {31, full.w}, {1, full.w}, {3, full.w - 1}}) {
          INFO(std::string(f), " scale 1/", s, " rows ", y0, "..", y1, " columns ", x0, "..", x1);
          if (y0 >= y1 || y1 > full.h || x0 >= x1 || x1 > full.w) continue;
          const Image reg = decode_jpeg_region(bytes.data(), bytes.size(), f, s, x0, y0, x1, y1);
          REQUIRE(reg.h == y1 - y0);
          REQUIRE(reg.w == x1 - x0);
          bool same = true;
          for (int y = y0; y < y1; ++y)
            same &= std::equal(reg.pixels.begin() + ptrdiff_t(size_t(y - y0) * reg.w * reg.c),
                               reg.pixels.begin() + ptrdiff_t(size_t(y - y0 + 1) * reg.w * reg.c),
                               full.pixels.begin() + ptrdiff_t((size_t(y) * full.w + x0) * full.c));
          CHECK(same);
        }
    }
  }
}

TEST_CASE("resized_crop and decode_crop equal torchvision's resized_crop + hflip and Pillow's draft path") {
  const std::string dir = make_jpegs();
  const std::vector<CropBox> boxes{{0, 0, 301, 227}, {13, 7, 150, 200}, {100, 50, 31, 29}, {1, 2, 299, 60},
                                   {37, 11, 240, 210}};
  for (const char* f : {"a.jpg", "c.jpg", "d.jpg"}) {
    const std::vector<uint8_t> bytes = read_file_bytes(dir + "/" + f);
    const ImageHeader hd = read_image_header(bytes.data(), bytes.size(), f);
    const Image full = decode_image(bytes.data(), bytes.size(), f);
    for (int out : {24, 64}) {
      std::vector<int32_t> spec;
      std::vector<uint8_t> ours_full, ours_crop;
      for (size_t k = 0; k < boxes.size(); ++k) {
        const CropBox& b = boxes[k];
        const bool flip = k % 2 == 1;
        const Image a = resized_crop(full, b, out, flip);
        const Image d = decode_crop(bytes.data(), bytes.size(), f, hd, b, out, flip);
        ours_full.insert(ours_full.end(), a.pixels.begin(), a.pixels.end());
        ours_crop.insert(ours_crop.end(), d.pixels.begin(), d.pixels.end());
        const int s = crop_decode_scale(b, out);
        const int sw = (hd.w + s - 1) / s, sh = (hd.h + s - 1) / s;
        const int x0 = b.x / s, y0 = b.y / s, x1 = std::min(sw, (b.x + b.w + s - 1) / s),
                  y1 = std::min(sh, (b.y + b.h + s - 1) / s);
        for (int v : {b.y, b.x, b.h, b.w, int(flip), s, x0, y0, x1, y1}) spec.push_back(v);
      }
      INFO(f, " out ", out);
      Arrays res = run_python("PATH = '" + dir + "/" + f + "'\nOUT = " + std::to_string(out) + "\n" + R"PY(
import numpy as np
from PIL import Image
import torchvision.transforms.functional as F
full, crop = [], []
for top, left, h, w, flip, s, x0, y0, x1, y1 in I['spec'].reshape(-1, 10).tolist():
    im = Image.open(PATH)
    mode = 'L' if im.mode == 'L' else 'RGB'
    a = F.resized_crop(im.convert(mode), top, left, h, w, [OUT, OUT], F.InterpolationMode.BILINEAR)
    im = Image.open(PATH)
    im.draft(im.mode, (im.size[0] // s, im.size[1] // s))
    d = im.convert(mode).crop((x0, y0, x1, y1)).resize((OUT, OUT), Image.BILINEAR)
    if flip:
        a, d = F.hflip(a), F.hflip(d)
    full.append(np.asarray(a).ravel())
    crop.append(np.asarray(d).ravel())
O['full'] = np.concatenate(full)
O['crop'] = np.concatenate(crop)
)PY",
                              {{"spec", array_i32({int64_t(spec.size())}, spec.data())}});
      CHECK(ours_full == res.at("full").bytes);
      CHECK(ours_crop == res.at("crop").bytes);
    }
  }
}

TEST_CASE("random_resized_crop_box: torchvision's rules and distribution, a pure function of the key") {
  const int W = 500, H = 375, n = 4000;
  RngKey key{7, 0, 0, 0, 3, 0};
  std::vector<double> share, log_aspect;
  int flips = 0;
  for (int i = 0; i < n; ++i) {
    const CropBox b = random_resized_crop_box(W, H, key, i);
    REQUIRE(b.w >= 1);
    REQUIRE(b.h >= 1);
    REQUIRE(b.x + b.w <= W);
    REQUIRE(b.y + b.h <= H);
    share.push_back(double(b.w) * b.h / (double(W) * H));
    log_aspect.push_back(std::log(double(b.w) / b.h));
    flips += random_flip(key, i);
    const CropBox again = random_resized_crop_box(W, H, key, i);
    CHECK(again.x == b.x);
    CHECK(again.h == b.h);
  }
  RngKey other = key;
  other.epoch = 4;
  CHECK(random_resized_crop_box(W, H, other, 0).w != random_resized_crop_box(W, H, key, 0).w);
  CHECK(std::abs(flips - n / 2) < 4 * std::sqrt(n / 4.0));
  // torchvision's get_params on the same image size (its own RNG): the means must agree.
  Arrays res = run_python(R"PY(
import math, torch
import numpy as np
import torchvision.transforms as T
from PIL import Image
torch.manual_seed(0)
img = Image.new('RGB', (500, 375))
s, a = [], []
for _ in range(4000):
    i, j, h, w = T.RandomResizedCrop.get_params(img, [0.08, 1.0], [3 / 4, 4 / 3])
    s.append(w * h / (500 * 375))
    a.append(math.log(w / h))
O['share'] = np.array(s)
O['aspect'] = np.array(a)
)PY",
                          {});
  auto mean_sd = [](const std::vector<double>& v) {
    double m = 0, q = 0;
    for (double e : v) m += e;
    m /= double(v.size());
    for (double e : v) q += (e - m) * (e - m);
    return std::pair<double, double>{m, std::sqrt(q / double(v.size() - 1))};
  };
  for (auto [ours, ref] :
       {std::pair{share, res.at("share").to_f64()}, std::pair{log_aspect, res.at("aspect").to_f64()}}) {
    auto [m1, s1] = mean_sd(ours);
    auto [m2, s2] = mean_sd(ref);
    const double se = std::sqrt(s1 * s1 / double(ours.size()) + s2 * s2 / double(ref.size()));
    INFO("ours ", m1, " torchvision ", m2, " standard error ", se);
    CHECK(std::abs(m1 - m2) < 4 * se);
    CHECK(std::abs(s1 - s2) < 0.1 * s2);
  }
}
