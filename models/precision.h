// How a model computes on the cuda backend, one word for users and configs (`--math`, SearchConfig):
//   strict  f32 FMA math everywhere (what the gpu op tests check)
//   tf32    convolutions and matmuls on tensor cores with TF32 inputs, f32 accumulation
//   bf16    the half-precision mode: bf16 activations and convolutions (f32 accumulation), f32 master
//           weights, gradients, BN statistics, optimizer state and classifier (TF32 matmul)
//   auto    tf32 on cuda, strict on the cpu
// The cpu backend computes in f32 whatever is asked, except bf16, which it refuses.
#pragma once
#include <string>

#include "core/context.h"
#include "models/model.h"

namespace aws {

// auto → the device's default; UserError naming `flag` for an unknown word or bf16 on the cpu.
std::string resolve_math(const std::string& math, Device dev, const std::string& flag = "--math");

// Resolves `math` and sets ctx.math and spec.act from it.
void apply_math(const std::string& math, Ctx& ctx, ModelSpec& spec, const std::string& flag = "--math");

// " (tf32 math)", " (bf16 activations)", ... for progress lines; "" on the cpu.
std::string math_label(const Ctx& ctx, const ModelSpec& spec);

}  // namespace aws
