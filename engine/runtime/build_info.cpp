// build_info: the facts compiled in (revision, architectures, header versions) come from the two
// headers CMake writes into the build folder; the runtime versions are asked of the loaded libraries.
#include "engine/runtime/build_info.h"

#include "aws_build_config.h"  // AWS_BUILD_TYPE, AWS_CUDA_ARCHITECTURES (configure time)
#include "aws_revision.h"      // AWS_GIT_REVISION (refreshed at every build)

#if defined(AWS_WITH_CUDA)
#include <cuda_runtime_api.h>
#include <cudnn.h>
#endif
#if defined(AWS_WITH_ONEDNN)
#include <oneapi/dnnl/dnnl.h>
#endif

namespace aws {
namespace {

#if defined(AWS_WITH_CUDA)
// CUDA encodes versions as 1000*major + 10*minor.
std::string cuda_version(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

// cuDNN 9 encodes as 10000*major + 100*minor + patch (cuDNN 8 used 1000*major).
std::string cudnn_version(size_t v) {
  size_t major_unit = v >= 90000 ? 10000 : 1000;
  return std::to_string(v / major_unit) + "." + std::to_string(v % major_unit / 100) + "." +
         std::to_string(v % 100);
}
#endif

}  // namespace

nlohmann::json build_info_json() {
  nlohmann::json j;
  j["revision"] = AWS_GIT_REVISION;
  j["build_type"] = AWS_BUILD_TYPE;
  j["cuda_architectures"] = AWS_CUDA_ARCHITECTURES;
#if defined(AWS_WITH_CUDA)
  int runtime = 0, driver = 0;
  nlohmann::json cuda;
  cuda["toolkit"] = cuda_version(CUDART_VERSION);
  cuda["runtime"] = cudaRuntimeGetVersion(&runtime) == cudaSuccess ? cuda_version(runtime) : "unknown";
  // 0 (or an error) when no driver is installed: a build machine without a GPU.
  cuda["driver"] = cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0 ? cuda_version(driver) : "none";
  j["cuda"] = cuda;
  j["cudnn"] = {{"compiled", std::to_string(CUDNN_MAJOR) + "." + std::to_string(CUDNN_MINOR) + "." +
                                 std::to_string(CUDNN_PATCHLEVEL)},
                {"runtime", cudnn_version(cudnnGetVersion())}};
#else
  j["cuda"] = nullptr;
  j["cudnn"] = nullptr;
#endif
#if defined(AWS_WITH_ONEDNN)
  const dnnl_version_t* v = dnnl_version();
  j["onednn"] = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
#else
  j["onednn"] = nullptr;
#endif
  return j;
}

std::string build_info_text() {
  nlohmann::json j = build_info_json();
  std::string s = "aws " + j["revision"].get<std::string>() + " (" + j["build_type"].get<std::string>() + ")\n";
  s += "cuda architectures: " + j["cuda_architectures"].get<std::string>() + "\n";
  if (j["cuda"].is_null()) {
    s += "cuda: not built\ncudnn: not built\n";
  } else {
    s += "cuda: toolkit " + j["cuda"]["toolkit"].get<std::string>() + ", runtime " +
         j["cuda"]["runtime"].get<std::string>() + ", driver " + j["cuda"]["driver"].get<std::string>() + "\n";
    s += "cudnn: compiled " + j["cudnn"]["compiled"].get<std::string>() + ", runtime " +
         j["cudnn"]["runtime"].get<std::string>() + "\n";
  }
  s += "onednn: " + (j["onednn"].is_null() ? std::string("not built") : j["onednn"].get<std::string>()) + "\n";
  return s;
}

}  // namespace aws
