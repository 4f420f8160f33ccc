// clip: the cuda launcher (kernels/clip.cu); the optimizer class is
// engine/optim/clip.h, the cpu version engine/optim/clip_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/param_list.h"
#include "core/tensor.h"

namespace aws {

void grad_clip_cuda(Ctx& ctx, const ParamList& params, float max_norm, Tensor& norm, Tensor& scale);

}  // namespace aws
