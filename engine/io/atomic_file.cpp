// Atomic writes (temp + fsync + rename + fsync dir) and the AWS_CRASH_AT hook (see atomic_file.h).
#include "engine/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace aws {

namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw UserError(path + ": " + what + " (" + std::strerror(err) + ")");
}

// What a non-regular file is, for the refusal message.
const char* kind_of(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link (aws does not write through links; give the real path)";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// Refuses a target that exists and is not a regular file (see atomic_file.h).
void check_target(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // a new file
    fail(path, "cannot stat the output", errno);
  }
  if (!S_ISREG(st.st_mode))
    throw UserError(path + ": is " + kind_of(st.st_mode) + "; aws writes only regular files or new paths");
}

}  // namespace

void crash_point(const char* tag) {
  const char* spec = std::getenv("AWS_CRASH_AT");
  if (!spec || !*spec) return;
  const char* colon = std::strrchr(spec, ':');
  size_t tag_len = colon ? size_t(colon - spec) : std::strlen(spec);
  if (std::strlen(tag) != tag_len || std::strncmp(spec, tag, tag_len) != 0) return;
  long target = colon ? std::strtol(colon + 1, nullptr, 10) : 1;
  // The one piece of process-wide state: how often the armed tag was passed (test hook only).
  static std::atomic<long> passes{0};
  if (passes.fetch_add(1) + 1 == target) {
    // AWS_CRASH_AT_SIGNAL=STOP stops the process instead (a hung rank, for the distributed tests).
    const char* sig = std::getenv("AWS_CRASH_AT_SIGNAL");
    if (sig && std::strcmp(sig, "STOP") == 0) {
      std::raise(SIGSTOP);
      return;
    }
    std::raise(SIGKILL);
    std::abort();  // not reached
  }
}

void atomic_write_file(const std::string& path, const void* data, size_t n) {
  const std::string dir = dir_of(path);
  check_target(path);
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, "cannot create a temporary file in " + dir, errno);
  auto cleanup = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what, err);
  };
  const char* p = static_cast<const char*>(data);
  size_t left = n;
  while (left > 0) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      cleanup("write failed", errno);
    }
    if (w == 0) cleanup("write failed", ENOSPC);  // no progress: treat as a full device
    p += w;
    left -= size_t(w);
  }
  if (::fchmod(fd, 0644) != 0) cleanup("chmod failed", errno);
  if (::fsync(fd) != 0) cleanup("fsync failed", errno);
  if (::close(fd) != 0) {  // NFS and some FUSE file systems report a failed write only here
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "close failed", err);
  }
  crash_point("atomic.temp_written");
  crash_point("atomic.before_rename");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "rename failed", err);
  }
  crash_point("atomic.renamed");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) fail(path, "cannot open directory " + dir + " to fsync", errno);
  int rc = ::fsync(dfd);
  int err = errno;
  ::close(dfd);
  if (rc != 0) fail(path, "fsync of directory " + dir + " failed", err);
}

}  // namespace aws
