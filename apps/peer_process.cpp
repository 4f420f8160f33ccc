// See peer_process.h.
#include "apps/peer_process.h"

#include <cstdio>
#include <cstdlib>

namespace aws::cli {

bool run_capture(const std::string& cmd, std::string* out, int* status) {
  std::fflush(stdout);  // our lines first, then the peer's
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return false;
  out->clear();
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out->append(buf, n);
  *status = ::pclose(p);
  return true;
}

std::string under_source_dir(const std::string& path) {
  if (const char* src = std::getenv("AWS_SOURCE_DIR"); src && !path.empty() && path.front() != '/')
    return std::string(src) + "/" + path;
  return path;
}

}  // namespace aws::cli
