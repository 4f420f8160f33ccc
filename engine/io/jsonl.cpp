// JSON Lines writer: one record per line, written, flushed and fsync'ed before write() returns.
#include "engine/io/jsonl.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace aws {

JsonlWriter::JsonlWriter(const std::string& path, bool append) : path_(path) {
  f_ = std::fopen(path.c_str(), append ? "a" : "w");
  if (!f_) throw UserError(path + ": cannot open for writing (" + std::strerror(errno) + ")");
}

JsonlWriter::~JsonlWriter() {
  if (f_) std::fclose(f_);
}

void JsonlWriter::write(const nlohmann::json& record) {
  if (!f_) return;
  std::string line = record.dump() + "\n";
  errno = 0;
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0 ||
      ::fsync(::fileno(f_)) != 0) {
    const int err = errno;
    std::clearerr(f_);
    throw UserError(path_ + ": cannot append a record (" + (err ? std::strerror(err) : "write failed") + ")");
  }
}

}  // namespace aws
