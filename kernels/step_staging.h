// The cuda side of engine/graph/step_staging.h (kernels/step_staging.cu): two pinned host buffers used
// in turn, one device buffer, one copy per step; reached through AWS_CUDA_CALL.
#pragma once
#include <cstddef>

#include "core/context.h"

namespace aws {

struct StagingState;  // opaque outside kernels/step_staging.cu

StagingState* cuda_staging_create(size_t bytes);
void cuda_staging_destroy(StagingState* s);
void* cuda_staging_host(StagingState* s);
void cuda_staging_upload(Ctx& ctx, StagingState* s);
void* cuda_staging_device(const StagingState* s);

}  // namespace aws
