#include "core/error.h"

namespace aws {

void fail_internal(const char* cond, const char* file, int line, const std::string& msg) {
  throw Error(std::string("internal error: ") + msg + " (" + cond + " at " + file + ":" +
              std::to_string(line) + ")");
}

}  // namespace aws
