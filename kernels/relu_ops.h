// Per-element bodies of ReLU, shared by the cpu loops and the cuda kernels.
#pragma once
#include "core/hd.h"

namespace aws {

AWS_HD float relu_fwd(float x) { return x > 0.f ? x : 0.f; }
// Gradient through ReLU given its output y (y > 0 exactly where the input was > 0).
AWS_HD float relu_bwd(float y, float dy) { return y > 0.f ? dy : 0.f; }

}  // namespace aws
