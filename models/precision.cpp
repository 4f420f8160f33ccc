#include "models/precision.h"

#include "core/error.h"

namespace aws {

std::string resolve_math(const std::string& math, Device dev, const std::string& flag) {
  if (math == "auto") return dev == Device::cuda ? "tf32" : "strict";
  if (math != "strict" && math != "tf32" && math != "bf16")
    throw UserError(flag + " " + math + ": expected auto, strict, tf32 or bf16");
  if (math == "bf16" && dev != Device::cuda)
    throw UserError(flag + " bf16: the half-precision mode runs on the cuda backend only (use --device cuda)");
  return math;
}

void apply_math(const std::string& math, Ctx& ctx, ModelSpec& spec, const std::string& flag) {
  const std::string m = resolve_math(math, ctx.device, flag);
  ctx.math = m == "strict" ? Ctx::MathMode::strict : Ctx::MathMode::tf32;
  spec.act = m == "bf16" ? DType::bf16 : DType::f32;
}

std::string math_label(const Ctx& ctx, const ModelSpec& spec) {
  if (!ctx.is_cuda()) return "";
  if (spec.act == DType::bf16) return " (bf16 activations)";
  return ctx.math == Ctx::MathMode::tf32 ? " (tf32 math)" : " (strict fp32 math)";
}

}  // namespace aws
