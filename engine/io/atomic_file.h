// Atomic file writes: the bytes go to a temporary file in the same directory, which is fsync'ed and
// renamed over the target, and then the directory is fsync'ed. A reader therefore sees either the
// old file or the complete new one, never a torn write, even after a crash or power loss.
//
// Crash injection for kill-tests: with the environment variable AWS_CRASH_AT=<tag>:<n>, the n-th
// time (1-based, counted per process) the code passes crash_point(<tag>), the process raises
// SIGKILL on itself (no destructors, no flushing: like a power cut). atomic_write_file passes:
//   atomic.temp_written   the temporary file is written and fsync'ed, the target is untouched
//   atomic.before_rename  just before rename(2) (same state as above, kept as a separate hook)
//   atomic.renamed        the target has been replaced, the directory not yet fsync'ed
// Other code may add its own tags (e.g. the search loop) by calling crash_point("search.loop_end").
// Without AWS_CRASH_AT (the normal case) crash_point does nothing but one getenv.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace aws {

// Writes `n` bytes to `path` atomically (see above). Throws UserError "<path>: <what failed>
// (<reason>)" when the directory is missing or not writable; the temporary file is removed then.
void atomic_write_file(const std::string& path, const void* data, size_t n);
inline void atomic_write_file(const std::string& path, const std::string& bytes) {
  atomic_write_file(path, bytes.data(), bytes.size());
}

// Kills the process with SIGKILL if AWS_CRASH_AT names `tag` and this is its n-th passage.
void crash_point(const char* tag);

}  // namespace aws
