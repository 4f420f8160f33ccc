// The cuda error family (kernels/cuda_check.h): a failing call throws aws::Error with the call text,
// file:line and the library's message; a launch check names the op; AWS_SYNC_DEBUG=1 is honoured.
#include <doctest/doctest.h>

#if defined(AWS_WITH_CUDA)
#include <cstdlib>
#include <string>

#include "core/context.h"
#include "engine/ops/relu.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"

namespace aws::test {

TEST_CASE("CUDA_CHECK names the call, the file:line and the runtime's message") {
  std::string msg;
  try {
    CUDA_CHECK(cudaSetDevice(12345));
  } catch (const Error& e) {
    msg = e.what();
  }
  INFO(msg);
  CHECK(msg.find("cudaSetDevice(12345)") != std::string::npos);
  CHECK(msg.find("gpu_error_test.cpp:") != std::string::npos);
  CHECK(msg.find(cudaGetErrorString(cudaErrorInvalidDevice)) != std::string::npos);
  cudaGetLastError();
}

TEST_CASE("a launch check names the op; AWS_SYNC_DEBUG=1 makes each op synchronous") {
  setenv("AWS_SYNC_DEBUG", "1", 1);
  Ctx ctx(Device::cuda);
  unsetenv("AWS_SYNC_DEBUG");
  CHECK(ctx.cuda->sync_debug);
  (void)cudaSetDevice(12345);  // leaves an error for the next check to report
  std::string msg;
  try {
    AWS_LAUNCH_CHECK(ctx, "fake_op");
  } catch (const Error& e) {
    msg = e.what();
  }
  INFO(msg);
  CHECK(msg.find("fake_op") != std::string::npos);
  CHECK(msg.find("AWS_SYNC_DEBUG") != std::string::npos);
  // And a real op passes its (synchronizing) check.
  float* d = static_cast<float*>(ctx.cuda->scratch);
  Tensor t(d, Shape{1024}, DType::f32, Device::cuda);
  CHECK_NOTHROW(relu_forward(ctx, {.x = t, .y = t}));
}

}  // namespace aws::test
#endif
