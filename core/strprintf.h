// printf into a std::string (progress lines and messages; at most 255 characters, cut beyond). The
// format attribute keeps the compiler's checks of the arguments against the format.
#pragma once
#include <string>

namespace aws {

std::string strprintf(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace aws
