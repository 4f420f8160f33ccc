// Dataset loaders: the real Fashion-MNIST (checked against values computed independently with
// /usr/bin/python3 gzip + numpy + zlib.crc32), CIFAR-10/100 files written here in the official
// binary format, and every kind of bad input, whose one-line message must name the file and field.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/data/cifar.h"
#include "engine/data/idx.h"
#include "engine/data/normalize.h"
#include "engine/data/registry.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using aws::test::contains;
using aws::test::user_error;

namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  REQUIRE(f.good());
}

void write_gzip(const std::string& path, const std::vector<uint8_t>& b) {
  gzFile g = gzopen(path.c_str(), "wb");
  REQUIRE(g != nullptr);
  REQUIRE(gzwrite(g, b.data(), unsigned(b.size())) == int(b.size()));
  REQUIRE(gzclose(g) == Z_OK);
}

void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

std::vector<uint8_t> idx_images(uint32_t magic, uint32_t n, uint32_t h, uint32_t w, uint8_t base) {
  std::vector<uint8_t> b;
  put_be32(b, magic);
  put_be32(b, n);
  put_be32(b, h);
  put_be32(b, w);
  for (uint32_t i = 0; i < n * h * w; ++i) b.push_back(uint8_t(base + i));
  return b;
}

std::vector<uint8_t> idx_labels(uint32_t magic, std::vector<uint8_t> labels) {
  std::vector<uint8_t> b;
  put_be32(b, magic);
  put_be32(b, uint32_t(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

// Runs f, which must throw UserError; returns its message.
}  // namespace

TEST_CASE("fashion-mnist: the installed files parse to the known shapes, labels and pixels") {
  // Reference: gzip + numpy in /usr/bin/python3: first labels, zlib.crc32 of all image bytes and of
  // all label bytes, per-class counts, and two pixels.
  Dataset tr = load_dataset("fashion-mnist", "", true);
  CHECK(tr.name == "fashion-mnist/train");
  CHECK(tr.n == 60000);
  CHECK((tr.h == 28 && tr.w == 28 && tr.c == 1 && tr.num_classes == 10));
  REQUIRE(tr.images.size() == size_t(60000) * 784);
  REQUIRE(tr.labels.size() == 60000u);
  CHECK(std::vector<int32_t>(tr.labels.begin(), tr.labels.begin() + 10) ==
        std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
  CHECK(crc32(0, tr.images.data(), uInt(tr.images.size())) == 2925911245u);
  std::vector<uint8_t> lb(tr.labels.begin(), tr.labels.end());
  CHECK(crc32(0, lb.data(), uInt(lb.size())) == 785835114u);
  CHECK(tr.image(0)[14 * 28 + 14] == 217);
  std::vector<int> counts(10, 0);
  for (int32_t y : tr.labels) counts[size_t(y)]++;
  CHECK(counts == std::vector<int>(10, 6000));

  Dataset te = load_dataset("fashion-mnist", default_data_dir("fashion-mnist"), false);
  CHECK(te.name == "fashion-mnist/test");
  CHECK(te.n == 10000);
  CHECK(std::vector<int32_t>(te.labels.begin(), te.labels.begin() + 10) ==
        std::vector<int32_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  CHECK(crc32(0, te.images.data(), uInt(te.images.size())) == 309494841u);
  std::vector<uint8_t> tl(te.labels.begin(), te.labels.end());
  CHECK(crc32(0, tl.data(), uInt(tl.size())) == 606848831u);
  CHECK(te.image(0)[14 * 28 + 14] == 110);
  CHECK(te.image(9999)[10 * 28 + 5] == 5);
}

TEST_CASE("fashion-mnist: normalization matches numpy on the real training images") {
  // numpy: x = images / 255 (float64); x.mean(), x.std() over all 60000 and over the first 50000.
  Dataset tr = load_dataset("fashion-mnist", "", true);
  std::vector<int32_t> all(60000), first(50000);
  for (int32_t i = 0; i < 60000; ++i) all[size_t(i)] = i;
  for (int32_t i = 0; i < 50000; ++i) first[size_t(i)] = i;
  Normalization a = compute_normalization(tr, all), f = compute_normalization(tr, first);
  CHECK(a.mean[0] == doctest::Approx(0.2860405970).epsilon(1e-7));
  CHECK(a.std[0] == doctest::Approx(0.3530242445).epsilon(1e-7));
  CHECK(f.mean[0] == doctest::Approx(0.2854989093).epsilon(1e-7));
  CHECK(f.std[0] == doctest::Approx(0.3527844322).epsilon(1e-7));
  CHECK((a.mean[1] == 0.f && a.std[1] == 1.f));  // unused channels keep the identity
}

TEST_CASE("normalize: per-channel statistics of a hand-computed 3-channel set") {
  Dataset d;
  d.name = "tiny";
  d.n = 3;
  d.h = d.w = 1;
  d.c = 3;
  d.num_classes = 2;
  d.images = {0, 255, 10, 255, 255, 20, 7, 7, 7};
  d.labels = {0, 1, 0};
  Normalization nz = compute_normalization(d, {0, 1});
  CHECK(nz.mean[0] == doctest::Approx(0.5));
  CHECK(nz.std[0] == doctest::Approx(0.5));
  CHECK(nz.mean[1] == doctest::Approx(1.0));
  CHECK(nz.std[1] == 0.f);
  CHECK(nz.mean[2] == doctest::Approx(15.0 / 255));
  CHECK(nz.std[2] == doctest::Approx(5.0 / 255));
  CHECK(contains(user_error([&] { compute_normalization(d, {0, 3}); }), "index 3"));
  CHECK(contains(user_error([&] { compute_normalization(d, {}); }), "empty"));
}

TEST_CASE("idx: compressed and uncompressed files give the same dataset") {
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  auto img = idx_images(0x803, 3, 2, 4, 100);
  auto lbl = idx_labels(0x801, {4, 0, 9});
  write_bytes(dir + "/a-images", img);
  write_bytes(dir + "/a-labels", lbl);
  write_gzip(dir + "/b-images.gz", img);
  write_gzip(dir + "/b-labels.gz", lbl);
  Dataset a = idx_load(dir + "/a-images", dir + "/a-labels", 10);
  Dataset b = idx_load(dir + "/b-images.gz", dir + "/b-labels.gz", 10);
  CHECK((a.n == 3 && a.h == 2 && a.w == 4 && a.c == 1));
  CHECK(a.labels == std::vector<int32_t>{4, 0, 9});
  REQUIRE(a.images.size() == 24u);
  for (int i = 0; i < 24; ++i) CHECK(a.images[size_t(i)] == uint8_t(100 + i));
  CHECK(a.images == b.images);
  CHECK(a.labels == b.labels);
}

TEST_CASE("idx: every bad input is one line naming the file and field") {
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  const std::string I = dir + "/train-images-idx3-ubyte", L = dir + "/train-labels-idx1-ubyte";
  auto good_img = idx_images(0x803, 3, 28, 28, 0);
  auto good_lbl = idx_labels(0x801, {1, 2, 3});
  auto load = [&] { return load_dataset("fashion-mnist", dir, true); };
  auto expect = [&](const std::vector<uint8_t>& img, const std::vector<uint8_t>& lbl,
                    const std::string& part) {
    write_bytes(I, img);
    write_bytes(L, lbl);
    std::string msg = user_error(load);
    INFO(msg);
    CHECK(contains(msg, part));
    CHECK(msg.find('\n') == std::string::npos);
  };
  write_bytes(I, good_img);
  write_bytes(L, good_lbl);
  CHECK(load().n == 3);  // the baseline is valid

  expect(idx_images(0x802, 3, 28, 28, 0), good_lbl, I + ": magic 0x00000802, expected 0x00000803");
  expect(good_img, idx_labels(0x803, {1, 2, 3}), L + ": magic 0x00000803, expected 0x00000801");
  expect(idx_images(0x803, 3, 27, 28, 0), good_lbl, I + ": rows 27, expected 28");
  expect(idx_images(0x803, 3, 28, 0, 0), good_lbl, I + ": cols 0 out of range");
  expect(good_img, idx_labels(0x801, {1, 2}), L + ": count 2 labels but " + I + " holds 3 images");
  expect(good_img, idx_labels(0x801, {1, 10, 3}), L + ": label 10 at index 1 out of range 0..9");
  auto cut = good_img;
  cut.resize(cut.size() - 1);
  expect(cut, good_lbl, I + ": image count 3 in header but the file holds 2351 data bytes (2 images, truncated)");
  auto extra = good_img;
  extra.push_back(0);
  expect(extra, good_lbl, I + ": image count 3 in header");
  expect(std::vector<uint8_t>(good_img.begin(), good_img.begin() + 9), good_lbl, I + ": truncated header");
  expect({}, good_lbl, I + ": truncated: 0 bytes");
  auto huge = idx_images(0x803, 0, 28, 28, 0);  // then claim 4 billion images in a tiny file
  huge[4] = huge[5] = huge[6] = huge[7] = 0xff;
  expect(huge, good_lbl, I + ": image count 4294967295 in header");

  // A truncated gzip stream, and a missing file (the .gz name is reported when neither exists).
  std::remove(I.c_str());
  write_gzip(I + ".gz", good_img);
  auto gz = read_file_bytes(I + ".gz");
  gz.resize(gz.size() / 2);
  write_bytes(I + ".gz", gz);
  CHECK(contains(user_error(load), I + ".gz: truncated gzip stream"));
  std::remove((I + ".gz").c_str());
  CHECK(contains(user_error(load), I + ".gz: cannot open (No such file or directory)"));
  CHECK(contains(user_error([&] { load_dataset("fashion-mnist", dir + "/nope", false); }),
                 dir + "/nope/t10k-images-idx3-ubyte.gz: cannot open"));
}

TEST_CASE("gzip: an inflated size above the cap is refused") {
  std::vector<uint8_t> zeros(1 << 20, 0);
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  write_gzip(dir + "/z.gz", zeros);
  auto gz = read_file_bytes(dir + "/z.gz");
  CHECK(gunzip_bytes(gz.data(), gz.size(), "z", 1 << 20) == zeros);
  CHECK(contains(user_error([&] { gunzip_bytes(gz.data(), gz.size(), "z.gz", 1000); }),
                 "z.gz: inflates to more than 1000 bytes"));
  // A flipped byte in stored (incompressible) data is caught by the gzip CRC.
  std::vector<uint8_t> noise(4096);
  std::mt19937 rng{7};
  for (uint8_t& v : noise) v = uint8_t(rng());
  write_gzip(dir + "/n.gz", noise);
  gz = read_file_bytes(dir + "/n.gz");
  CHECK(gunzip_bytes(gz.data(), gz.size(), "n.gz", 1 << 20) == noise);
  gz[gz.size() / 2] ^= 0x55;
  CHECK(contains(user_error([&] { gunzip_bytes(gz.data(), gz.size(), "n.gz", 1 << 20); }),
                 "n.gz: corrupt gzip data (incorrect data check)"));
  gz = read_file_bytes(dir + "/n.gz");
  gz.push_back(0);
  CHECK(contains(user_error([&] { gunzip_bytes(gz.data(), gz.size(), "n.gz", 1 << 20); }),
                 "n.gz: trailing garbage after gzip stream"));
}

TEST_CASE("idx gzip: inflation stops at the size the header declares") {
  // A gzip bomb: the header promises 2 images of 28x28 (1568 data bytes), the stream inflates to
  // 64 MiB of zeros. The reader must stop after header + 1568 bytes, not inflate the 64 MiB first.
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  auto img = idx_images(0x803, 2, 28, 28, 0);
  img.resize(img.size() + (size_t(64) << 20), 0);
  write_gzip(dir + "/bomb-images.gz", img);
  write_gzip(dir + "/labels.gz", idx_labels(0x801, {1, 2}));
  std::string msg = user_error([&] { idx_load(dir + "/bomb-images.gz", dir + "/labels.gz", 10); });
  CHECK(msg == dir + "/bomb-images.gz: inflates to more than 1584 bytes (its IDX header declares 2x28x28 = "
                     "1568 data bytes after the 16-byte header)");
  // Labels the same way: 3 declared, 1000 present.
  write_gzip(dir + "/images.gz", idx_images(0x803, 3, 2, 2, 0));
  std::vector<uint8_t> many(1000, 1);
  auto lbl = idx_labels(0x801, many);
  lbl[4] = lbl[5] = lbl[6] = 0, lbl[7] = 3;  // count 3
  write_gzip(dir + "/many-labels.gz", lbl);
  CHECK(user_error([&] { idx_load(dir + "/images.gz", dir + "/many-labels.gz", 10); }) ==
        dir + "/many-labels.gz: inflates to more than 11 bytes (its IDX header declares 3 = 3 data bytes after "
              "the 8-byte header)");
  // A header declaring more than the reader's 4 GiB cap is refused before inflating anything.
  auto huge = idx_images(0x803, 1, 2, 2, 0);
  huge[4] = huge[5] = huge[6] = huge[7] = 0xff;
  huge[10] = huge[14] = 0xff;  // 4294967295 x 65282 x 65282
  write_gzip(dir + "/huge.gz", huge);
  CHECK(contains(user_error([&] { idx_load(dir + "/huge.gz", dir + "/labels.gz", 10); }),
                 "huge.gz: its IDX header declares 4294967295x65282x65282 bytes of data, more than the 4 GiB"));
  // The exact size still loads, and a gzip of a bad magic is named as before.
  write_gzip(dir + "/ok.gz", idx_images(0x803, 2, 28, 28, 5));
  CHECK(idx_load(dir + "/ok.gz", dir + "/labels.gz", 10).n == 2);
  write_gzip(dir + "/magic.gz", idx_images(0x802, 2, 28, 28, 5));
  CHECK(contains(user_error([&] { idx_load(dir + "/magic.gz", dir + "/labels.gz", 10); }),
                 "magic.gz: magic 0x00000802, expected 0x00000803"));
  // gunzip_prefix: the first k bytes, or fewer when the stream is shorter.
  auto gz = read_file_bytes(dir + "/ok.gz");
  auto head = gunzip_prefix(gz.data(), gz.size(), "ok.gz", 16);
  CHECK(head == std::vector<uint8_t>{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28});
  CHECK(gunzip_prefix(gz.data(), gz.size(), "ok.gz", 1 << 20).size() == 16u + 1568u);
}

TEST_CASE("registry: names and defaults") {
  CHECK(dataset_names() == std::vector<std::string>{"fashion-mnist", "cifar10", "cifar100", "folder:DIR"});
  CHECK(default_data_dir("fashion-mnist") == "/usr/share/datasets/fashion-mnist");
  CHECK(default_data_dir("cifar10") == "data/cifar-10-batches-bin");
  CHECK(default_data_dir("cifar100") == "data/cifar-100-binary");
  std::string msg = user_error([] { load_dataset("mnist", "", true); });
  CHECK(msg == "--data: unknown dataset 'mnist' (valid: fashion-mnist, cifar10, cifar100, folder:DIR)");
  CHECK(contains(user_error([] { default_data_dir("svhn"); }), "valid: fashion-mnist"));
}

namespace {

// Writes a CIFAR batch with `n` random records; returns the raw bytes.
std::vector<uint8_t> cifar_batch(std::mt19937& rng, int n, bool hundred) {
  std::vector<uint8_t> b;
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < n; ++i) {
    if (hundred) {
      b.push_back(uint8_t(byte(rng) % 20));
      b.push_back(uint8_t(byte(rng) % 100));
    } else {
      b.push_back(uint8_t(byte(rng) % 10));
    }
    for (int k = 0; k < 3072; ++k) b.push_back(uint8_t(byte(rng)));
  }
  return b;
}

// Checks that `d` holds the records of `batches` (in order) converted to NHWC.
void check_cifar(const Dataset& d, const std::vector<std::vector<uint8_t>>& batches, bool hundred) {
  const size_t lb = hundred ? 2 : 1, rec = lb + 3072;
  int64_t i = 0;
  for (const auto& b : batches) {
    for (size_t r = 0; r < b.size() / rec; ++r, ++i) {
      const uint8_t* src = b.data() + r * rec;
      REQUIRE(i < d.n);
      CHECK(d.labels[size_t(i)] == src[lb - 1]);
      const uint8_t* img = d.image(i);
      bool same = true;
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x)
          for (int c = 0; c < 3; ++c)
            same &= img[(y * 32 + x) * 3 + c] == src[lb + size_t(c) * 1024 + size_t(y) * 32 + size_t(x)];
      CHECK(same);
    }
  }
  CHECK(i == d.n);
}

}  // namespace

TEST_CASE("cifar10: batches in the official format load as NHWC with their labels") {
  uint64_t seed = aws::test::test_seed(11);
  INFO("seed ", seed);
  std::mt19937 rng{uint32_t(seed)};
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  std::vector<std::vector<uint8_t>> train;
  for (int k = 1; k <= 5; ++k) {
    train.push_back(cifar_batch(rng, 4, false));
    write_bytes(dir + "/data_batch_" + std::to_string(k) + ".bin", train.back());
  }
  auto test = cifar_batch(rng, 4, false);
  write_bytes(dir + "/test_batch.bin", test);
  Dataset tr = cifar_load(CifarKind::cifar10, dir, true, 4);
  CHECK(tr.name == "cifar10/train");
  CHECK((tr.n == 20 && tr.h == 32 && tr.w == 32 && tr.c == 3 && tr.num_classes == 10));
  check_cifar(tr, train, false);
  Dataset te = cifar_load(CifarKind::cifar10, dir, false, 4);
  CHECK(te.n == 4);
  check_cifar(te, {test}, false);

  // Through the registry the official counts apply: 4 records are a truncated batch.
  CHECK(contains(user_error([&] { load_dataset("cifar10", dir, true); }),
                 dir + "/data_batch_1.bin: 4 records, expected 10000 (truncated)"));
  auto bad = train[2];
  bad[3073 * 2] = 10;  // label of record 2
  write_bytes(dir + "/data_batch_3.bin", bad);
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar10, dir, true, 4); }),
                 dir + "/data_batch_3.bin: label 10 of record 2 out of range 0..9"));
  bad = train[2];
  bad.pop_back();
  write_bytes(dir + "/data_batch_3.bin", bad);
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar10, dir, true, 4); }),
                 dir + "/data_batch_3.bin: size 12291 bytes is not a whole number of 3073-byte records"));
  write_bytes(dir + "/data_batch_3.bin", {});
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar10, dir, true, 4); }),
                 dir + "/data_batch_3.bin: empty file"));
  std::remove((dir + "/data_batch_4.bin").c_str());
  write_bytes(dir + "/data_batch_3.bin", train[2]);
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar10, dir, true, 4); }),
                 dir + "/data_batch_4.bin: cannot open"));
}

TEST_CASE("cifar100: fine labels are kept, coarse labels are checked") {
  uint64_t seed = aws::test::test_seed(12);
  INFO("seed ", seed);
  std::mt19937 rng{uint32_t(seed)};
  const test::TempDir tmp("aws_data_test");
  const std::string dir = tmp.path;
  auto train = cifar_batch(rng, 6, true), test = cifar_batch(rng, 3, true);
  train[1] = 99;  // the fine label of record 0 is the second byte
  write_bytes(dir + "/train.bin", train);
  write_bytes(dir + "/test.bin", test);
  Dataset tr = cifar_load(CifarKind::cifar100, dir, true, 6);
  CHECK((tr.n == 6 && tr.num_classes == 100 && tr.name == "cifar100/train"));
  CHECK(tr.labels[0] == 99);
  check_cifar(tr, {train}, true);
  Dataset te = cifar_load(CifarKind::cifar100, dir, false, 3);
  check_cifar(te, {test}, true);
  CHECK(contains(user_error([&] { load_dataset("cifar100", dir, false); }),
                 dir + "/test.bin: 3 records, expected 10000 (truncated)"));
  auto bad = train;
  bad[3074] = 20;  // coarse label of record 1
  write_bytes(dir + "/train.bin", bad);
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar100, dir, true, 6); }),
                 dir + "/train.bin: coarse label 20 of record 1 out of range 0..19"));
  bad = train;
  bad[3074 * 5 + 1] = 100;
  write_bytes(dir + "/train.bin", bad);
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar100, dir, true, 6); }),
                 dir + "/train.bin: label 100 of record 5 out of range 0..99"));
  // A CIFAR-10 batch is not a whole number of CIFAR-100 records.
  write_bytes(dir + "/train.bin", cifar_batch(rng, 2, false));
  CHECK(contains(user_error([&] { cifar_load(CifarKind::cifar100, dir, true, 0); }),
                 "not a whole number of 3074-byte records"));
}
