// printf into a std::string. See strprintf.h.
#include "core/strprintf.h"

#include <cstdarg>
#include <cstdio>

namespace aws {

std::string strprintf(const char* format, ...) {
  char buf[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : std::string()) + parts[i];
  return out;
}

}  // namespace aws
