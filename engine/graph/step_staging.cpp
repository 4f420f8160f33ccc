// StepStaging's facade: the cpu buffer here, the pinned double buffer in kernels/step_staging.cu.
#include "engine/graph/step_staging.h"

#include "core/cuda_dispatch.h"
#include "engine/runtime/memory.h"

namespace aws {

StepStaging::StepStaging(Ctx& ctx, size_t bytes) : dev_(ctx.device), bytes_(bytes) {
  AWS_ASSERT(bytes > 0, "step staging: empty buffer");
  if (ctx.is_cuda())
    cuda_ = AWS_CUDA_CALL(cuda_staging_create, (bytes));
  else
    cpu_ = mem_alloc(Device::cpu, bytes);
}

StepStaging::~StepStaging() {
  if (cuda_) AWS_CUDA_CALL(cuda_staging_destroy, (cuda_));
  if (cpu_) mem_free(Device::cpu, cpu_);
}

void* StepStaging::host() { return cuda_ ? AWS_CUDA_CALL(cuda_staging_host, (cuda_)) : cpu_; }

void StepStaging::upload(Ctx& ctx) {
  AWS_ASSERT(ctx.device == dev_, "step staging: used with another context's device");
  if (cuda_) AWS_CUDA_CALL(cuda_staging_upload, (ctx, cuda_));
}

void* StepStaging::device() const { return cuda_ ? AWS_CUDA_CALL(cuda_staging_device, (cuda_)) : cpu_; }

}  // namespace aws
