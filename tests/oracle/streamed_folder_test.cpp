// The streamed folder source against torchvision and against its own pieces: evaluation batches equal
// ImageFolder with Resize(round(S·256/224)) + CenterCrop(S) (RGB, a grayscale JPEG included) byte for
// byte; training batches hold, in fetch order, each image's RandomResizedCrop for the epoch's key
// (decode_crop of its box and flip), the same on 1 and 2 threads and another epoch's crops differ;
// the decode ring's prefetched batches equal plain fetches, unasked guesses and their failures are
// dropped; the pass is planned without pad-crop and flip.
#include <doctest/doctest.h>

#include <omp.h>

#include <fstream>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "core/error.h"
#include "engine/data/image_folder.h"
#include "engine/data/random_resized_crop.h"
#include "engine/data/registry.h"
#include "engine/io/image_io.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"
#include "train/streamed_folder.h"

using namespace aws;
using namespace aws::test;

namespace {

const char* kMake = R"PY(
import os
import numpy as np
from PIL import Image
import torchvision.transforms as T
from torchvision.datasets import ImageFolder
rng = np.random.RandomState(5)
def photo(w, h):
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * y) % 256], -1)
    return np.clip(base + rng.randint(-30, 31, base.shape), 0, 255).astype(np.uint8)
sizes = [(120, 90), (75, 131), (200, 64), (97, 97), (64, 150)]
for split in ('train', 'val'):
    for i, (w, h) in enumerate(sizes):
        d = os.path.join(ROOT, split, 'k%d' % (i % 2))
        os.makedirs(d, exist_ok=True)
        im = Image.fromarray(photo(w, h), 'RGB')
        if i == 3:
            im = im.convert('L')
        im.save(os.path.join(d, '%s%d.jpg' % (split, i)), quality=90)
S = int(I['size'][0])
R = round(S * 256 / 224)
v = ImageFolder(os.path.join(ROOT, 'val'), transform=T.Compose([T.Resize(R), T.CenterCrop(S)]))
O['val'] = np.stack([np.asarray(v[i][0]) for i in range(len(v))])
)PY";

}  // namespace

TEST_CASE("streamed folder: evaluation crops are torchvision's, training crops are the epoch's RandomResizedCrop") {
  const TempDir tmp("aws_stream_test");
  const std::string root = tmp.path;
  const int S = 48;
  const int32_t size_arr[1] = {S};
  Arrays py = run_python("ROOT = '" + root + "'\n" + kMake, {{"size", array_i32({1}, size_arr)}});
  const std::string spec = "folder,stream,size=" + std::to_string(S) + ":" + root;
  const Dataset test = load_dataset(spec, "", false), train = load_dataset(spec, "", true);
  REQUIRE(test.streamed());
  CHECK(test.n == 5);
  CHECK(test.h == S);
  CHECK(test.c == 3);
  CHECK(test.images.empty());
  Ctx ctx(Device::cpu, 2);
  const std::vector<int32_t> all{0, 1, 2, 3, 4};
  {
    StreamedFolder src(ctx, test, 5);
    const BatchImages b = src.fetch(ctx, all.data(), 5, FetchKey{});
    CHECK(b.rows == ImageRows::in_order);
    const uint8_t* px = static_cast<const uint8_t*>(b.images->data);
    CHECK(std::vector<uint8_t>(px, px + 5 * S * S * 3) == py.at("val").bytes);
  }
  // Training: a shuffled fetch holds each image's own crop for the key, in fetch order.
  const FolderListing l = scan_image_folder(root + "/train");
  const std::vector<int32_t> order{3, 0, 4, 1};
  const RngKey key{11, 0, 0, 0, 2, 0};
  std::vector<uint8_t> first;
  for (int threads : {1, 2}) {
    Ctx c(Device::cpu, threads);
    StreamedFolder src(c, train, 4);
    const BatchImages b = src.fetch(c, order.data(), 4, FetchKey{true, key});
    const uint8_t* px = static_cast<const uint8_t*>(b.images->data);
    std::vector<uint8_t> got(px, px + 4 * S * S * 3);
    if (first.empty()) first = got;
    CHECK(got == first);  // the thread count changes nothing
  }
  for (size_t b = 0; b < order.size(); ++b) {
    const int32_t i = order[b];
    const std::vector<uint8_t> bytes = read_file_bytes(l.files[size_t(i)]);
    const ImageHeader hd = read_image_header(bytes.data(), bytes.size(), l.files[size_t(i)]);
    const Image want = to_rgb(decode_crop(bytes.data(), bytes.size(), l.files[size_t(i)], hd,
                                          random_resized_crop_box(hd.w, hd.h, key, i), S, random_flip(key, i)));
    INFO("row ", b, " image ", i);
    CHECK(std::equal(want.pixels.begin(), want.pixels.end(), first.begin() + ptrdiff_t(b * S * S * 3)));
  }
  {
    StreamedFolder src(ctx, train, 4);
    RngKey other = key;
    other.epoch = 3;
    const BatchImages b = src.fetch(ctx, order.data(), 4, FetchKey{true, other});
    const uint8_t* px = static_cast<const uint8_t*>(b.images->data);
    CHECK(std::vector<uint8_t>(px, px + 4 * S * S * 3) != first);
  }
  // The pass after a streamed source: no pad-crop, no flip; Cutout and the pair-op stay.
  const AugmentPlan plan = make_augment_plan(builtin_policy("crop-flip"), S, S, 3, Normalization{},
                                             PlanOptions{.cropped_upstream = true});
  CHECK(plan.params.crop_pad == 0);
  CHECK_FALSE(plan.params.flip);
  // Normalization from evaluation crops: finite, inside [0, 1].
  const Normalization nm = training_normalization(train, all, ctx.threads);
  for (int c = 0; c < 3; ++c) {
    CHECK(nm.mean[c] > 0.f);
    CHECK(nm.mean[c] < 1.f);
    CHECK(nm.std[c] > 0.f);
  }
  // The decode ring: a prefetched batch is the batch a plain fetch decodes, whatever came before it; a
  // guess the fetch does not ask for is dropped (its buffer is not the one handed back); a bad file is
  // the fetch's error only when the fetch asks for it.
  {
    Ctx c(Device::cpu, 2);
    StreamedFolder src(c, train, 4);
    RngKey other = key;
    other.epoch = 3;
    const std::vector<int32_t> pair{2, 0};
    const auto rows_of = [&](const BatchImages& b, int64_t n) {
      const uint8_t* px = static_cast<const uint8_t*>(b.images->data);
      return std::vector<uint8_t>(px, px + n * S * S * 3);
    };
    std::vector<uint8_t> pair_alone;
    {
      StreamedFolder fresh(c, train, 4);
      pair_alone = rows_of(fresh.fetch(c, pair.data(), 2, FetchKey{true, key}), 2);
    }
    src.prefetch(c, order.data(), 4, FetchKey{true, key});
    CHECK(rows_of(src.fetch(c, order.data(), 4, FetchKey{true, key}), 4) == first);
    src.prefetch(c, pair.data(), 2, FetchKey{true, key});
    CHECK(rows_of(src.fetch(c, pair.data(), 2, FetchKey{true, key}), 2) == pair_alone);
    src.prefetch(c, order.data(), 4, FetchKey{true, other});  // another epoch's crops: not what is fetched
    CHECK(rows_of(src.fetch(c, order.data(), 4, FetchKey{true, key}), 4) == first);
    src.prefetch(c, pair.data(), 2, FetchKey{true, key});  // other images
    CHECK(rows_of(src.fetch(c, order.data(), 4, FetchKey{true, key}), 4) == first);
    const int32_t bad = 1;
    std::ofstream(l.files[size_t(bad)], std::ios::binary | std::ios::trunc) << "not a JPEG at all";
    src.prefetch(c, &bad, 1, FetchKey{true, key});
    CHECK(rows_of(src.fetch(c, pair.data(), 2, FetchKey{true, key}), 2) == pair_alone);
    src.prefetch(c, &bad, 1, FetchKey{true, key});
    const std::string err = user_error([&] { src.fetch(c, &bad, 1, FetchKey{true, key}); });
    CHECK(contains(err, l.files[size_t(bad)]));
    src.prefetch(c, &bad, 1, FetchKey{true, key});  // left in flight: the destructor waits for it
  }
  CHECK_THROWS_AS(parse_folder_spec("folder,stream,skip-bad:" + root), UserError);
  CHECK(parse_folder_spec("folder,stream:" + root).image_size == 224);
}
