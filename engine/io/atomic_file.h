// Atomic file writes: the bytes go to a temporary file with a unique name (<path>.tmp.XXXXXX, from
// mkstemp) in the same directory, which is fsync'ed, closed (both results checked) and renamed over
// the target, and then the directory is fsync'ed. A reader therefore sees either the old file or the
// complete new one, never a torn write, even after a crash, power loss or a full disk. On every
// failure the temporary file is removed and the target is left as it was.
//
// Only regular files are replaced: the target must be a new path or an existing regular file. A
// device node (/dev/null), FIFO, socket or directory is refused, and so is a SYMBOLIC LINK as the
// last path component (REFUSED, not followed: renaming over it would silently turn the link into a
// file, and following it would write wherever it points). Symbolic links among the folders above the
// file are followed as usual. The check is lstat(2) just before writing, so a path swapped in the
// microseconds between check and rename is not caught; that needs an attacker with write access to
// the folder, which could delete the file anyway.
//
// Crash injection for kill-tests: with the environment variable AWS_CRASH_AT=<tag>:<n>, the n-th
// time (1-based, counted per process) the code passes crash_point(<tag>), the process raises
// SIGKILL on itself (no destructors, no flushing: like a power cut). atomic_write_file passes:
//   atomic.temp_written   the temporary file is written and fsync'ed, the target is untouched
//   atomic.before_rename  just before rename(2) (same state as above, kept as a separate hook)
//   atomic.renamed        the target has been replaced, the directory not yet fsync'ed
// Other code may add its own tags (e.g. the search loop) by calling crash_point("search.loop_end").
// With AWS_CRASH_AT_SIGNAL=STOP the process stops (SIGSTOP) instead: a hung rank.
// Without AWS_CRASH_AT (the normal case) crash_point does nothing but one getenv.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace aws {

// Writes `n` bytes to `path` atomically (see above). Throws UserError "<path>: <what failed>
// (<reason>)" when the directory is missing or not writable, the disk is full, or the target is not a
// regular file; the temporary file is removed then.
void atomic_write_file(const std::string& path, const void* data, size_t n);
inline void atomic_write_file(const std::string& path, const std::string& bytes) {
  atomic_write_file(path, bytes.data(), bytes.size());
}

// Kills the process with SIGKILL if AWS_CRASH_AT names `tag` and this is its n-th passage.
void crash_point(const char* tag);

}  // namespace aws
