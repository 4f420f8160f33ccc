// Running a benchmark's peer (a Python script under Debian's /usr/bin/python3) and reading what it
// prints: shared by `aws bench train-step`, `bench augment` and `bench decode`.
#pragma once
#include <string>

namespace aws::cli {

// Runs `cmd` through the shell and reads its standard output into *out; *status is pclose's status
// (0: success). False when the process could not be started.
bool run_capture(const std::string& cmd, std::string* out, int* status);

// A peer script's path: a relative one is taken under $AWS_SOURCE_DIR when that is set.
std::string under_source_dir(const std::string& path);

}  // namespace aws::cli
