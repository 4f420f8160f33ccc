// The binary container for everything the engine saves (model state arenas, ω_share, controller
// state, splits). Layout, all integers little-endian:
//   "AWSCKPT\0"                      8-byte magic
//   u32 version                      kCheckpointVersion
//   u64 header_bytes                 size of the header that follows
//   header: u32 len + kind bytes, u64 len + meta JSON bytes, u32 blob count, then per blob
//           u32 len + name bytes, u8 dtype (aws::DType), u8 ndim (≤ 8), ndim × i64 dims, u64 nbytes
//   the blobs' bytes, concatenated in header order (nbytes = product(dims) × dtype size)
//   u64 XXH3-64 of every byte before it
// The reader checks each field against the bytes that remain, so no size from the file is trusted
// beyond the file's length, and rejects anything else (including two blobs with one name) with a
// UserError naming the file and field. What the blobs and meta mean is checked by their owners.
// Files are written atomically (atomic_file.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace aws {

constexpr uint32_t kCheckpointVersion = 1;

struct Blob {
  std::string name;
  DType dtype = DType::u8;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // product(shape) × dtype_size(dtype) bytes

  // A blob holding a copy of `count` elements at `data`, shaped as `shape`.
  static Blob of(std::string name, DType dtype, std::vector<int64_t> shape, const void* data);
};

struct CheckpointData {
  std::string kind;       // what the file holds, e.g. "model-state", "split"
  std::string meta_json;  // free-form JSON the owner interprets (model name, epoch, ...)
  std::vector<Blob> blobs;

  // The blob called `name`, or a UserError "<file>: no blob '<name>'" naming `file`.
  const Blob& blob(const std::string& name, const std::string& file) const;
};

// The file's bytes (as checkpoint_write stores them). Throws Error if a blob's byte count does not
// match its shape and dtype (a caller bug).
std::vector<uint8_t> checkpoint_serialize(const CheckpointData& d);
// Parses bytes in memory; `name` names the source in errors.
CheckpointData checkpoint_parse(const uint8_t* data, size_t len, const std::string& name);

void checkpoint_write(const std::string& path, const CheckpointData& d);  // atomic
CheckpointData checkpoint_read(const std::string& path);
// The kind, meta and blob table (blobs without bytes) from the file's prefix and header alone: the
// header is checked as checkpoint_read checks it, and the blob sizes against the file's length, but
// the body and the checksum are not read. For what decides how to read the rest (a model file's
// spec before the model exists); the full read that follows verifies the checksum.
CheckpointData checkpoint_read_header(const std::string& path);

}  // namespace aws
