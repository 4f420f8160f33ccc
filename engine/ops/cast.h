// Element type conversion between f32 and bf16 (the half-precision mode's weight copies, network input
// and weight gradients): y = x converted, same shape; f32 → bf16 rounds to nearest even.
// Facade: checks, dispatches to cast_cpu.cpp or kernels/cast.cu, which share kernels/bf16_ops.h.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/cast.h"

namespace aws {

void cast(Ctx& ctx, const CastArgs& a);

void cast_cpu(Ctx& ctx, const CastArgs& a);

}  // namespace aws
