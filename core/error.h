// Error types and checks. UserError is bad input from a person (a flag, a file): the CLI prints its
// one line and exits 2. Everything else (internal invariants, library failures) is an Error.
#pragma once
#include <stdexcept>
#include <string>

namespace aws {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad input: a file, field or flag a user gave us. The message names it.
struct UserError : Error {
  using Error::Error;
};

[[noreturn]] void fail_internal(const char* cond, const char* file, int line, const std::string& msg);

}  // namespace aws

// Internal invariant: a failure is a bug in the engine, never a user's fault.
#define AWS_ASSERT(cond, msg)                                                   \
  do {                                                                          \
    if (!(cond)) ::aws::fail_internal(#cond, __FILE__, __LINE__, (msg));        \
  } while (0)
