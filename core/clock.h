// Wall-clock seconds between two points of a run, for the logs' timings (not for measurements of
// kernels: those use events on cuda and the benchmarks' own timers).
#pragma once
#include <chrono>

namespace aws {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace aws
