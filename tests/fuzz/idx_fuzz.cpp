// libFuzzer target for the IDX parser (and the bounded gunzip in front of it). The input is
//   u16 little-endian k | k bytes: image file | rest: label file
// and either part is inflated first when it starts with the gzip magic. Bad input must end in a
// UserError; anything else (an internal error, a crash, an ASan report) is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "engine/data/idx.h"
#include "engine/io/read_file.h"

namespace {

std::vector<uint8_t> maybe_inflate(const uint8_t* p, size_t n, const char* name) {
  if (aws::is_gzip(p, n)) return aws::gunzip_bytes(p, n, name, size_t(1) << 22);
  return std::vector<uint8_t>(p, p + n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t k = size_t(data[0]) | (size_t(data[1]) << 8);
  data += 2;
  size -= 2;
  if (k > size) k = size;
  try {
    std::vector<uint8_t> img = maybe_inflate(data, k, "images");
    std::vector<uint8_t> lbl = maybe_inflate(data + k, size - k, "labels");
    aws::Dataset d = aws::idx_parse(img.data(), img.size(), "images", lbl.data(), lbl.size(), "labels",
                                    10, 0, 0);
    // A parse that succeeds must be self-consistent.
    if (d.images.size() != size_t(d.n) * d.image_bytes() || d.labels.size() != size_t(d.n)) __builtin_trap();
    for (int32_t y : d.labels)
      if (y < 0 || y >= 10) __builtin_trap();
  } catch (const aws::UserError&) {
  }
  return 0;
}
