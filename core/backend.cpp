// The one file that knows whether the cuda backend was compiled in.
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

Device parse_device(const std::string& s, const std::string& flag) {
  if (s == "cpu") return Device::cpu;
  if (s == "cuda") return Device::cuda;
  throw UserError(flag + ": unknown device '" + s + "' (expected cpu or cuda)");
}

}  // namespace aws
