// printf into a std::string (progress lines and messages; at most 255 characters, cut beyond). The
// format attribute keeps the compiler's checks of the arguments against the format. And join, for the
// lists messages name ("demo | paper", "a, b").
#pragma once
#include <string>
#include <vector>

namespace aws {

std::string strprintf(const char* format, ...) __attribute__((format(printf, 1, 2)));

// parts[0] + sep + parts[1] + ... ("" for none).
std::string join(const std::vector<std::string>& parts, const std::string& sep);

}  // namespace aws
