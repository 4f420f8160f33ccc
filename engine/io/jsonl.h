// Append-only JSON Lines log (metrics, search loops). Each record is one line, flushed and fsync'ed
// (a power cut cannot leave the log behind a state file synced after it), so a killed run leaves
// every completed record readable; a torn last line is ignored by readers. A failed write (disk
// full) is a UserError naming the file and the OS reason.
#pragma once
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace aws {

class JsonlWriter {
 public:
  JsonlWriter() = default;
  explicit JsonlWriter(const std::string& path, bool append = false);
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  bool open() const { return f_ != nullptr; }
  void write(const nlohmann::json& record);

 private:
  std::FILE* f_ = nullptr;
  std::string path_;
};

}  // namespace aws
