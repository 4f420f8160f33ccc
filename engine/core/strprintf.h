// printf into a std::string (progress lines and messages; at most 255 characters, cut beyond).
#pragma once
#include <cstdio>
#include <string>

namespace aws {

template <class... Args>
std::string strprintf(const char* format, Args... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

}  // namespace aws
