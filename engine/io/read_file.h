// Whole-file reads for the dataset and checkpoint parsers: a plain read (size taken from the file
// itself, never from a header) and a gzip-aware read with a cap on the inflated size, so that a
// corrupt or hostile .gz cannot make us allocate without bound. Errors are UserErrors naming the path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aws {

// Reads the whole file. Throws UserError "<path>: cannot open (<reason>)" or "<path>: read failed".
std::vector<uint8_t> read_file_bytes(const std::string& path);

// True when the bytes start with the gzip magic 1f 8b.
bool is_gzip(const uint8_t* data, size_t n);

// Inflates a gzip stream (all concatenated members). More than max_out bytes of output (inflation
// stops there: memory stays within max_out + 64 KiB), a truncated stream or corrupt data throw
// UserError "<name>: ..." naming what is wrong; `why`, when given, says where max_out came from.
std::vector<uint8_t> gunzip_bytes(const uint8_t* data, size_t n, const std::string& name,
                                  size_t max_out, const std::string& why = "");

// The first k inflated bytes (fewer when the stream is shorter), for reading a header that says
// how large the whole should be. Corrupt or truncated data before byte k throw as above.
std::vector<uint8_t> gunzip_prefix(const uint8_t* data, size_t n, const std::string& name, size_t k);

// Reads `path`, inflating it when it is gzip-compressed (by content, not by name).
std::vector<uint8_t> read_file_maybe_gzip(const std::string& path, size_t max_out);

}  // namespace aws
