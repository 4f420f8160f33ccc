// Checking bad-input paths: the message of the UserError a call throws (a test failure when it throws
// none), and substring search on messages.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "core/error.h"

namespace aws::test {

template <class F>
std::string user_error(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("expected a UserError");
  return "";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace aws::test
