// The --math option shared by `aws train` and `aws bench train-step`: how the cuda backend computes.
//   auto    tf32 on cuda (the default)
//   strict  f32 FMA math everywhere (what the gpu op tests check)
//   tf32    convolutions and matmuls on tensor cores with TF32 inputs, f32 accumulation
//   bf16    the half-precision mode: bf16 activations and convolutions (f32 accumulation), f32 master
//           weights, gradients, BN statistics, optimizer state and classifier (TF32 matmul)
// The cpu backend computes in f32 whatever is asked, except bf16, which it refuses.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "engine/core/context.h"
#include "models/model.h"

namespace aws::cli {

void add_math_option(CLI::App* cmd, std::string& math);

// Sets ctx.math and spec.act from the option's value; bf16 on the cpu is a UserError naming --math.
void apply_math(const std::string& math, Ctx& ctx, ModelSpec& spec);

// " (tf32 math)", " (bf16 activations)", ... for progress lines; "" on the cpu.
std::string math_label(const Ctx& ctx, const ModelSpec& spec);

}  // namespace aws::cli
