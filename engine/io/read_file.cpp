// Whole-file reads and bounded gzip inflation through zlib (see read_file.h).
#include "engine/io/read_file.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.h"

namespace aws {

namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw UserError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    size_t got = std::fread(buf, 1, sizeof buf, f.get());
    out.insert(out.end(), buf, buf + got);
    if (got < sizeof buf) break;
  }
  if (std::ferror(f.get())) throw UserError(path + ": read failed (" + std::strerror(errno) + ")");
  return out;
}

bool is_gzip(const uint8_t* data, size_t n) { return n >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

namespace {

// The shared body of gunzip_bytes and gunzip_prefix: inflate until the stream ends or max_out bytes
// are out; past max_out, throw (whole) or return the first max_out bytes (prefix).
std::vector<uint8_t> inflate_gzip(const uint8_t* data, size_t n, const std::string& name, size_t max_out,
                                  bool prefix, const std::string& why) {
  std::vector<uint8_t> out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw Error(name + ": zlib inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  size_t pos = 0;
  uint8_t buf[1 << 16];
  while (true) {
    // zlib's avail_in is 32-bit: feed at most 1 GiB at a time.
    if (zs.avail_in == 0 && pos < n) {
      size_t chunk = std::min<size_t>(n - pos, size_t(1) << 30);
      zs.next_in = const_cast<Bytef*>(data + pos);
      zs.avail_in = uInt(chunk);
      pos += chunk;
    }
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_out) {
      if (prefix) {
        out.insert(out.end(), buf, buf + (max_out - out.size()));
        return out;
      }
      throw UserError(name + ": inflates to more than " + std::to_string(max_out) + " bytes" +
                      (why.empty() ? "" : " (" + why + ")"));
    }
    out.insert(out.end(), buf, buf + got);
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (concatenated .gz files are valid gzip).
      size_t rest = zs.avail_in + (n - pos);
      if (rest == 0) break;
      const uint8_t* next = data + (n - rest);
      if (!is_gzip(next, rest)) throw UserError(name + ": trailing garbage after gzip stream");
      if (inflateReset(&zs) != Z_OK) throw Error(name + ": zlib inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && pos == n)
      throw UserError(name + ": truncated gzip stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw UserError(name + ": corrupt gzip data (" + (zs.msg ? zs.msg : "zlib error") + ")");
  }
  return out;
}

}  // namespace

std::vector<uint8_t> gunzip_bytes(const uint8_t* data, size_t n, const std::string& name, size_t max_out,
                                  const std::string& why) {
  return inflate_gzip(data, n, name, max_out, /*prefix=*/false, why);
}

std::vector<uint8_t> gunzip_prefix(const uint8_t* data, size_t n, const std::string& name, size_t k) {
  return inflate_gzip(data, n, name, k, /*prefix=*/true, "");
}

std::vector<uint8_t> read_file_maybe_gzip(const std::string& path, size_t max_out) {
  std::vector<uint8_t> raw = read_file_bytes(path);
  if (!is_gzip(raw.data(), raw.size())) return raw;
  return gunzip_bytes(raw.data(), raw.size(), path, max_out);
}

}  // namespace aws
