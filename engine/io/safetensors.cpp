// safetensors writer (see safetensors.h).
#include "engine/io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <set>

#include "core/error.h"
#include "engine/io/atomic_file.h"

namespace aws {

namespace {

size_t dtype_bytes(const std::string& d) {
  if (d == "F32" || d == "I32") return 4;
  if (d == "F64" || d == "I64") return 8;
  if (d == "U8") return 1;
  throw Error("safetensors: dtype '" + d + "' is not written here");
}

}  // namespace

std::vector<uint8_t> safetensors_bytes(const std::vector<SafeTensor>& tensors,
                                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  size_t offset = 0;
  for (const SafeTensor& t : tensors) {
    if (!seen.insert(t.name).second) throw Error("safetensors: tensor '" + t.name + "' given twice");
    size_t n = dtype_bytes(t.dtype);
    for (int64_t d : t.shape) {
      if (d < 0) throw Error("safetensors: tensor '" + t.name + "' has a negative dimension");
      n *= size_t(d);
    }
    if (n != t.bytes.size())
      throw Error("safetensors: tensor '" + t.name + "' holds " + std::to_string(t.bytes.size()) +
                  " bytes, its shape and dtype need " + std::to_string(n));
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + n}}};
    offset += n;
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::vector<uint8_t> out(8 + h.size() + offset);
  const uint64_t len = h.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(len >> (8 * i));  // little-endian on any host
  std::memcpy(out.data() + 8, h.data(), h.size());
  size_t at = 8 + h.size();
  for (const SafeTensor& t : tensors) {
    if (!t.bytes.empty()) std::memcpy(out.data() + at, t.bytes.data(), t.bytes.size());
    at += t.bytes.size();
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<SafeTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::vector<uint8_t> b = safetensors_bytes(tensors, metadata);
  atomic_write_file(path, b.data(), b.size());
}

}  // namespace aws
