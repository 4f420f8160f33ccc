// The safetensors format (Hugging Face's, read by `safetensors.torch.load_file`): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__":
// {string: string}} padded with spaces to a multiple of 8, then the tensors' bytes, row-major, in
// header order. Written atomically (engine/io/atomic_file.h).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aws {

// One named tensor, little-endian row-major bytes; dtype as safetensors spells it ("F32", "I64").
struct SafeTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// The whole file's bytes; throws Error on a size that does not match shape × dtype or a repeated name.
std::vector<uint8_t> safetensors_bytes(const std::vector<SafeTensor>& tensors,
                                       const std::map<std::string, std::string>& metadata);
void write_safetensors(const std::string& path, const std::vector<SafeTensor>& tensors,
                       const std::map<std::string, std::string>& metadata);

}  // namespace aws
