// libFuzzer target for the checkpoint container parser. Each input is parsed twice: as given, and
// with its last 8 bytes replaced by the correct XXH3 checksum, so that mutations reach the accept
// path behind the checksum too. Bad input must end in a UserError; a file that parses must
// serialize back to exactly the same bytes (the format has one encoding).
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "engine/io/checkpoint.h"

namespace {

void parse_roundtrip(const uint8_t* data, size_t size) {
  try {
    aws::CheckpointData d = aws::checkpoint_parse(data, size, "fuzz.ckpt");
    std::vector<uint8_t> again = aws::checkpoint_serialize(d);
    if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
  } catch (const aws::UserError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  parse_roundtrip(data, size);
  if (size >= 8) {
    std::vector<uint8_t> fixed(data, data + size);
    uint64_t h = XXH3_64bits(fixed.data(), size - 8);
    for (int i = 0; i < 8; ++i) fixed[size - 8 + size_t(i)] = uint8_t(h >> (8 * i));
    parse_roundtrip(fixed.data(), size);
  }
  return 0;
}
