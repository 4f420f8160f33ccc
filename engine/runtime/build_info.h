// What this binary was built from and with: the git revision, the CUDA toolkit and runtime, cuDNN and
// oneDNN versions, and the compiled CUDA architectures ("cpu only" without the cuda backend).
// `aws --version` prints build_info_text(); run directories, results and policy files record
// build_info_json() so a number can always be traced to the code and libraries that produced it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace aws {

// Keys: revision, build_type, cuda_architectures, cuda {toolkit, runtime, driver} or null,
// cudnn {compiled, runtime} or null, onednn or null. Runtime versions are read from the loaded
// libraries, so a binary run against other libraries than it was built with says so.
nlohmann::json build_info_json();

// The same facts, one "name: value" line each, for people.
std::string build_info_text();

}  // namespace aws
