// One macro family for every CUDA runtime, cuDNN and cuBLASLt call: a failure throws aws::Error
// naming the call text, file:line and the library's own message. AWS_LAUNCH_CHECK(ctx, "op") follows
// every kernel launch: it reports launch errors naming the op, and with AWS_SYNC_DEBUG=1 in the
// environment (read once per context) it synchronizes so an asynchronous fault is pinned to its op.
#pragma once
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "core/error.h"

namespace aws {

struct Ctx;

[[noreturn]] void cuda_fail(const char* lib, const char* call, const char* file, int line, int code,
                            const char* msg);
void cuda_launch_check(Ctx& ctx, const char* op, const char* file, int line);

}  // namespace aws

#define AWS_GPU_CHECK_(lib, type, ok, msgfn, call)                                          \
  do {                                                                                      \
    type aws_status_ = (call);                                                              \
    if (aws_status_ != (ok))                                                                \
      ::aws::cuda_fail(lib, #call, __FILE__, __LINE__, int(aws_status_), msgfn(aws_status_)); \
  } while (0)

#define CUDA_CHECK(call) AWS_GPU_CHECK_("CUDA", cudaError_t, cudaSuccess, cudaGetErrorString, call)
#define CUDNN_CHECK(call) AWS_GPU_CHECK_("cuDNN", cudnnStatus_t, CUDNN_STATUS_SUCCESS, cudnnGetErrorString, call)
#define CUBLAS_CHECK(call) \
  AWS_GPU_CHECK_("cuBLASLt", cublasStatus_t, CUBLAS_STATUS_SUCCESS, cublasLtGetStatusString, call)
#define AWS_LAUNCH_CHECK(ctx, op) ::aws::cuda_launch_check((ctx), (op), __FILE__, __LINE__)
