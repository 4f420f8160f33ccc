// The communicators' watchdog thread (watchdog.h).
#include "engine/dist/watchdog.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace aws {

Watchdog::Watchdog(int rank, std::function<std::string()> probe)
    : rank_(rank), probe_(std::move(probe)), thread_([this] { watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> l(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::watch() {
  std::unique_lock<std::mutex> l(m_);
  while (!stop_) {
    cv_.wait_for(l, std::chrono::milliseconds(200));
    if (stop_) break;
    const std::string why = probe_();
    if (why.empty()) continue;
    std::fprintf(stderr, "aws: rank %d: %s\n", rank_, why.c_str());
    std::fflush(stderr);
    ::_exit(1);
  }
}

std::string overdue_collective(const char* op, double waited, double timeout) {
  if (waited <= timeout) return "";
  char line[256];
  std::snprintf(line, sizeof line, "%s: no answer from the other ranks for %.0f s (AWS_RANK_TIMEOUT=%g): a rank "
                "stopped, hung or died; ending the job", op, waited, timeout);
  return line;
}

}  // namespace aws
