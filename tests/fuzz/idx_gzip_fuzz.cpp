// libFuzzer target for the gzip IDX path (idx_inflate in engine/data/idx.cpp): the input is one file,
// images when the first byte is even, labels when odd, the rest the file's bytes (gzip or plain).
// Inflation must stop at the size the IDX header declares: an accepted result is never longer than
// header + product(dims), and equals gunzip_prefix's bytes where both exist. Bad input → UserError.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "engine/data/idx.h"
#include "engine/io/read_file.h"

namespace {

uint64_t be32(const uint8_t* p) {
  return (uint64_t(p[0]) << 24) | (uint64_t(p[1]) << 16) | (uint64_t(p[2]) << 8) | uint64_t(p[3]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool images = (data[0] & 1) == 0;
  data += 1;
  size -= 1;
  try {
    std::vector<uint8_t> out = aws::idx_inflate(data, size, "fuzz.idx", images);
    if (!aws::is_gzip(data, size)) {
      if (out != std::vector<uint8_t>(data, data + size)) std::abort();  // plain: as is
      return 0;
    }
    const size_t header = images ? 16 : 8;
    if (out.size() < header) return 0;  // a short stream: the parse reports it
    unsigned __int128 declared = 1;  // up to 2^96: no overflow
    for (size_t d = 4; d < header; d += 4) declared *= be32(out.data() + d);
    if (out.size() > header + declared) std::abort();
    std::vector<uint8_t> head = aws::gunzip_prefix(data, size, "fuzz.idx", header);
    if (!std::equal(head.begin(), head.end(), out.begin())) std::abort();
  } catch (const aws::UserError&) {
  }
  return 0;
}
