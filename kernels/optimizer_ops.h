// What every optimizer body shares (kernels/sgd_ops.h, kernels/adam_ops.h). The updates follow
// torch.optim (1.13, single-tensor path) operation by operation, so both backends round as PyTorch
// does up to PyTorch's own use of FMA in its vectorized cpu kernels.
#pragma once
#include "core/hd.h"

namespace aws {

// The clipping factor a step multiplies every gradient by: grad_scale[0], or 1 without clipping.
AWS_HD float grad_scale_of(const float* grad_scale) { return grad_scale ? grad_scale[0] : 1.f; }

}  // namespace aws
