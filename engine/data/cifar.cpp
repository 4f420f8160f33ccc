// CIFAR binary batch parsing (see cifar.h): planar CHW records → interleaved NHWC.
#include "engine/data/cifar.h"

#include "core/error.h"
#include "engine/io/read_file.h"

namespace aws {

namespace {
constexpr int kSide = 32, kPlane = kSide * kSide, kPixels = 3 * kPlane;
}

Dataset cifar_empty(CifarKind kind, const std::string& name) {
  Dataset d;
  d.name = name;
  d.h = d.w = kSide;
  d.c = 3;
  d.num_classes = kind == CifarKind::cifar10 ? 10 : 100;
  return d;
}

std::vector<std::string> cifar_files(CifarKind kind, bool train) {
  if (kind == CifarKind::cifar100) return {train ? "train.bin" : "test.bin"};
  if (!train) return {"test_batch.bin"};
  std::vector<std::string> f;
  for (int i = 1; i <= 5; ++i) f.push_back("data_batch_" + std::to_string(i) + ".bin");
  return f;
}

void cifar_parse_batch(const uint8_t* data, size_t len, const std::string& name, CifarKind kind,
                       int64_t expect_records, Dataset& out) {
  AWS_ASSERT(out.h == kSide && out.w == kSide && out.c == 3, "cifar_parse_batch: bad target geometry");
  const size_t label_bytes = kind == CifarKind::cifar10 ? 1 : 2;
  const size_t record = label_bytes + kPixels;
  if (len == 0) throw UserError(name + ": empty file, expected " + std::to_string(record) + "-byte records");
  if (len % record != 0)
    throw UserError(name + ": size " + std::to_string(len) + " bytes is not a whole number of " +
                    std::to_string(record) + "-byte records (truncated or not a " +
                    (kind == CifarKind::cifar10 ? "CIFAR-10" : "CIFAR-100") + " batch)");
  const int64_t n = int64_t(len / record);
  if (expect_records > 0 && n != expect_records)
    throw UserError(name + ": " + std::to_string(n) + " records, expected " +
                    std::to_string(expect_records) + (n < expect_records ? " (truncated)" : ""));
  // Validate every label before touching `out`, so a bad file leaves it unchanged.
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* r = data + size_t(i) * record;
    if (kind == CifarKind::cifar100 && r[0] >= 20)
      throw UserError(name + ": coarse label " + std::to_string(r[0]) + " of record " +
                      std::to_string(i) + " out of range 0..19");
    const int y = r[label_bytes - 1];
    if (y >= out.num_classes)
      throw UserError(name + ": label " + std::to_string(y) + " of record " + std::to_string(i) +
                      " out of range 0.." + std::to_string(out.num_classes - 1));
  }
  const size_t base = out.images.size();
  out.images.resize(base + size_t(n) * kPixels);
  out.labels.reserve(out.labels.size() + size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* r = data + size_t(i) * record;
    out.labels.push_back(r[label_bytes - 1]);
    const uint8_t* px = r + label_bytes;
    uint8_t* dst = out.images.data() + base + size_t(i) * kPixels;
    for (int p = 0; p < kPlane; ++p) {
      dst[3 * p + 0] = px[p];
      dst[3 * p + 1] = px[kPlane + p];
      dst[3 * p + 2] = px[2 * kPlane + p];
    }
  }
  out.n += n;
}

Dataset cifar_load(CifarKind kind, const std::string& dir, bool train, int64_t records_per_file) {
  const char* base = kind == CifarKind::cifar10 ? "cifar10" : "cifar100";
  Dataset d = cifar_empty(kind, std::string(base) + (train ? "/train" : "/test"));
  int64_t expect = records_per_file;
  if (expect == 0) expect = (kind == CifarKind::cifar100 && train) ? 50000 : 10000;
  for (const std::string& f : cifar_files(kind, train)) {
    std::string path = dir + "/" + f;
    std::vector<uint8_t> bytes = read_file_bytes(path);
    cifar_parse_batch(bytes.data(), bytes.size(), path, kind, expect, d);
  }
  return d;
}

}  // namespace aws
