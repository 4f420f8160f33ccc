#include "apps/progress.h"

#include <unistd.h>

#include <cstdio>

namespace aws::cli {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total > 0 ? total : 1), tty_(isatty(STDERR_FILENO)) {}

void Progress::update(int64_t i, const std::string& status) {
  if (tty_) {
    auto now = std::chrono::steady_clock::now();
    if (i < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 30;
    int filled = int(width * i / total_);
    std::string bar(size_t(filled), '#');
    bar.append(size_t(width - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %lld/%lld %s\x1b[K", label_.c_str(), bar.c_str(), (long long)i,
                 (long long)total_, status.c_str());
    std::fflush(stderr);
    return;
  }
  int decile = int(10 * i / total_);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "%s %lld/%lld %s\n", label_.c_str(), (long long)i, (long long)total_, status.c_str());
}

void Progress::finish(const std::string& status) {
  if (tty_)
    std::fprintf(stderr, "\r%s %s\x1b[K\n", label_.c_str(), status.c_str());
  else
    std::fprintf(stderr, "%s done: %s\n", label_.c_str(), status.c_str());
}

}  // namespace aws::cli
