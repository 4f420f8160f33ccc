// A progress line for long loops: redrawn in place on a terminal, plain lines (about every 10%) when
// stderr is not a TTY, so logs stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace aws::cli {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  // Shows step i of total (1-based) with a free-form status text such as "loss 0.41 acc 86.2%".
  void update(int64_t i, const std::string& status);
  // Ends the line (terminal) or prints the final status (plain).
  void finish(const std::string& status);

 private:
  std::string label_;
  int64_t total_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace aws::cli
