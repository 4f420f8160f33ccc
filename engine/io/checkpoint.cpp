// Checkpoint container serialization and checked parsing (see checkpoint.h).
#include "engine/io/checkpoint.h"

#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/read_file.h"

namespace aws {

namespace {

constexpr char kMagic[8] = {'A', 'W', 'S', 'C', 'K', 'P', 'T', '\0'};
constexpr size_t kPrefix = 8 + 4 + 8;  // magic, version, header_bytes
constexpr size_t kTrailer = 8;         // checksum
constexpr int kMaxDims = 8;

// Little-endian appends.
struct Out {
  std::vector<uint8_t> b;
  void raw(const void* p, size_t n) {
    const uint8_t* q = static_cast<const uint8_t*>(p);
    b.insert(b.end(), q, q + n);
  }
  void u(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(uint8_t(v >> (8 * i)));
  }
  void str32(const std::string& s) { u(s.size(), 4), raw(s.data(), s.size()); }
  void str64(const std::string& s) { u(s.size(), 8), raw(s.data(), s.size()); }
};

// Bounds-checked little-endian reads over [p, end); every failure names the file and field.
struct In {
  const uint8_t* p;
  const uint8_t* end;
  const std::string& file;
  size_t left() const { return size_t(end - p); }
  void need(size_t n, const std::string& field) {
    if (n > left())
      throw UserError(file + ": " + field + " needs " + std::to_string(n) + " bytes but only " +
                      std::to_string(left()) + " remain (truncated or corrupt header)");
  }
  uint64_t u(int bytes, const std::string& field) {
    need(size_t(bytes), field);
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
    p += bytes;
    return v;
  }
  std::string str(int len_bytes, const std::string& field) {
    uint64_t n = u(len_bytes, field + " length");
    need(n, field);  // n ≤ left() before we allocate anything
    std::string s(reinterpret_cast<const char*>(p), size_t(n));
    p += n;
    return s;
  }
};

uint64_t blob_bytes_expected(const Blob& b, bool* overflow) {
  uint64_t count = 1;
  *overflow = false;
  for (int64_t d : b.shape) {
    if (d < 0 || __builtin_mul_overflow(count, uint64_t(d), &count)) *overflow = true;
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(count, uint64_t(dtype_size(b.dtype)), &bytes)) *overflow = true;
  return bytes;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

}  // namespace

Blob Blob::of(std::string name, DType dtype, std::vector<int64_t> shape, const void* data) {
  Blob b{std::move(name), dtype, std::move(shape), {}};
  bool overflow = false;
  uint64_t n = blob_bytes_expected(b, &overflow);
  AWS_ASSERT(!overflow, "Blob::of: shape overflows");
  const uint8_t* q = static_cast<const uint8_t*>(data);
  b.bytes.assign(q, q + n);
  return b;
}

const Blob& CheckpointData::blob(const std::string& name, const std::string& file) const {
  for (const Blob& b : blobs)
    if (b.name == name) return b;
  throw UserError(file + ": no blob '" + name + "' in this " + kind + " file");
}

std::vector<uint8_t> checkpoint_serialize(const CheckpointData& d) {
  Out h;
  h.str32(d.kind);
  h.str64(d.meta_json);
  h.u(d.blobs.size(), 4);
  size_t data_bytes = 0;
  for (const Blob& b : d.blobs) {
    bool overflow = false;
    uint64_t expect = blob_bytes_expected(b, &overflow);
    if (overflow || expect != b.bytes.size() || b.shape.size() > size_t(kMaxDims))
      throw Error("checkpoint: blob '" + b.name + "' holds " + std::to_string(b.bytes.size()) +
                  " bytes, which does not match " + dtype_name(b.dtype) + shape_str(b.shape));
    h.str32(b.name);
    h.u(uint8_t(b.dtype), 1);
    h.u(b.shape.size(), 1);
    for (int64_t s : b.shape) h.u(uint64_t(s), 8);
    h.u(b.bytes.size(), 8);
    data_bytes += b.bytes.size();
  }
  Out f;
  f.b.reserve(kPrefix + h.b.size() + data_bytes + kTrailer);
  f.raw(kMagic, 8);
  f.u(kCheckpointVersion, 4);
  f.u(h.b.size(), 8);
  f.raw(h.b.data(), h.b.size());
  for (const Blob& b : d.blobs) f.raw(b.bytes.data(), b.bytes.size());
  f.u(XXH3_64bits(f.b.data(), f.b.size()), 8);
  return std::move(f.b);
}

namespace {

// The prefix and the header of a file of `file_len` bytes, from its first `avail` bytes (the whole
// file, or at least the prefix and header): every field is checked against what the file holds, and
// the blob sizes must fill it exactly up to the checksum. `sizes` gets each blob's byte count and
// `body` the offset of the first blob's bytes.
CheckpointData parse_header(const uint8_t* data, size_t avail, uint64_t file_len, const std::string& name,
                            std::vector<uint64_t>& sizes, size_t& body) {
  if (avail < 8 || std::memcmp(data, kMagic, 8) != 0)
    throw UserError(name + ": magic: not an AWS checkpoint (expected \"AWSCKPT\")");
  if (file_len < kPrefix + kTrailer)
    throw UserError(name + ": truncated: " + std::to_string(file_len) + " bytes, shorter than the fixed header");
  In in{data + 8, data + std::min<uint64_t>(avail, file_len - kTrailer), name};
  uint32_t version = uint32_t(in.u(4, "version"));
  if (version != kCheckpointVersion)
    throw UserError(name + ": format version " + std::to_string(version) + ", this build reads version " +
                    std::to_string(kCheckpointVersion));
  uint64_t header_bytes = in.u(8, "header_bytes");
  in.need(header_bytes, "header");
  const uint8_t* header_end = in.p + header_bytes;
  In h{in.p, header_end, name};
  CheckpointData d;
  d.kind = h.str(4, "kind");
  d.meta_json = h.str(8, "meta");
  uint64_t count = h.u(4, "blob count");
  // Each blob header takes at least 4 + 1 + 1 + 8 bytes: bound the count by what remains.
  if (count > h.left() / 14)
    throw UserError(name + ": blob count " + std::to_string(count) + " does not fit in the header");
  d.blobs.resize(size_t(count));
  sizes.assign(size_t(count), 0);
  uint64_t total = 0;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < count; ++i) {
    Blob& b = d.blobs[i];
    const std::string field = "blob " + std::to_string(i);
    b.name = h.str(4, field + " name");
    if (!seen.insert(b.name).second)
      throw UserError(name + ": blob " + std::to_string(i) + " name '" + b.name + "': duplicate blob");
    uint64_t dt = h.u(1, field + " dtype");
    if (dt > uint64_t(DType::f64))
      throw UserError(name + ": blob '" + b.name + "' dtype code " + std::to_string(dt) + " unknown");
    b.dtype = DType(dt);
    uint64_t ndim = h.u(1, field + " ndim");
    if (ndim > uint64_t(kMaxDims))
      throw UserError(name + ": blob '" + b.name + "' ndim " + std::to_string(ndim) + " > " +
                      std::to_string(kMaxDims));
    b.shape.resize(size_t(ndim));
    for (auto& s : b.shape) s = int64_t(h.u(8, field + " dims"));
    sizes[i] = h.u(8, field + " nbytes");
    bool overflow = false;
    uint64_t expect = blob_bytes_expected(b, &overflow);
    if (overflow || expect != sizes[i])
      throw UserError(name + ": blob '" + b.name + "' nbytes " + std::to_string(sizes[i]) +
                      " does not match " + dtype_name(b.dtype) + shape_str(b.shape));
    if (__builtin_add_overflow(total, sizes[i], &total))
      throw UserError(name + ": blob sizes overflow");
  }
  if (h.left() != 0)
    throw UserError(name + ": header has " + std::to_string(h.left()) + " unexplained bytes");
  body = size_t(kPrefix + header_bytes);
  const uint64_t data_bytes = file_len - kTrailer - body;
  if (total != data_bytes)
    throw UserError(name + ": blob data is " + std::to_string(data_bytes) + " bytes, the header lists " +
                    std::to_string(total) + (total > data_bytes ? " (truncated)" : " (extra bytes)"));
  return d;
}

}  // namespace

CheckpointData checkpoint_parse(const uint8_t* data, size_t len, const std::string& name) {
  std::vector<uint64_t> sizes;
  size_t body = 0;
  CheckpointData d = parse_header(data, len, len, name, sizes, body);
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= uint64_t(data[len - kTrailer + i]) << (8 * i);
  uint64_t actual = XXH3_64bits(data, len - kTrailer);
  if (stored != actual) throw UserError(name + ": checksum mismatch (file is corrupt)");
  const uint8_t* p = data + body;
  for (size_t i = 0; i < d.blobs.size(); ++i) {
    d.blobs[i].bytes.assign(p, p + sizes[i]);
    p += sizes[i];
  }
  return d;
}

CheckpointData checkpoint_read_header(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw UserError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> buf(kPrefix);
  uint64_t file_len = 0;
  bool ok = std::fseek(f, 0, SEEK_END) == 0;
  const long end = ok ? std::ftell(f) : -1;
  ok = ok && end >= 0 && std::fseek(f, 0, SEEK_SET) == 0;
  file_len = uint64_t(std::max<long>(end, 0));
  size_t got = ok ? std::fread(buf.data(), 1, buf.size(), f) : 0;
  if (ok && got == kPrefix && file_len >= kPrefix + kTrailer) {
    uint64_t header_bytes = 0;
    for (int i = 0; i < 8; ++i) header_bytes |= uint64_t(buf[12 + size_t(i)]) << (8 * i);
    // Never more than the file holds: a header size beyond it is reported by parse_header.
    const uint64_t want = std::min<uint64_t>(header_bytes, file_len - kTrailer - kPrefix);
    buf.resize(size_t(kPrefix + want));
    got += std::fread(buf.data() + kPrefix, 1, size_t(want), f);
  }
  std::fclose(f);
  if (!ok) throw UserError(path + ": read failed");
  buf.resize(got);
  std::vector<uint64_t> sizes;
  size_t body = 0;
  return parse_header(buf.data(), buf.size(), file_len, path, sizes, body);
}

void checkpoint_write(const std::string& path, const CheckpointData& d) {
  std::vector<uint8_t> bytes = checkpoint_serialize(d);
  atomic_write_file(path, bytes.data(), bytes.size());
}

CheckpointData checkpoint_read(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return checkpoint_parse(bytes.data(), bytes.size(), path);
}

}  // namespace aws
