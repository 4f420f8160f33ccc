// The one file that knows whether the cuda backend was compiled in, and how a device is spelled.
#include "core/device.h"
#include "core/error.h"

namespace aws {

bool cuda_built() {
#if defined(AWS_WITH_CUDA)
  return true;
#else
  return false;
#endif
}

std::string DeviceSpec::str() const {
  if (kind == Device::cpu) return "cpu";
  return gpu == 0 ? "cuda" : "cuda:" + std::to_string(gpu);
}

DeviceSpec parse_device(const std::string& s, const std::string& flag) {
  if (s == "cpu") return {Device::cpu};
  if (s == "cuda") return {Device::cuda, 0};
  if (s.rfind("cuda:", 0) == 0) {
    const std::string n = s.substr(5);
    if (!n.empty() && n.size() <= 4 && n.find_first_not_of("0123456789") == std::string::npos && std::stoi(n) < 1024)
      return {Device::cuda, std::stoi(n)};
  }
  throw UserError(flag + ": unknown device '" + s + "' (expected cpu, cuda or cuda:N with N a GPU index)");
}

}  // namespace aws
