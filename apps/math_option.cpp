#include "apps/math_option.h"

#include "engine/core/error.h"

namespace aws::cli {

void add_math_option(CLI::App* cmd, std::string& math) {
  cmd->add_option("--math", math,
                  "cuda math: auto (tf32 on cuda) | strict (fp32 FMA) | tf32 | bf16 (bf16 activations, fp32 master "
                  "weights)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "strict", "tf32", "bf16"}));
}

void apply_math(const std::string& math, Ctx& ctx, ModelSpec& spec) {
  if (math == "bf16" && !ctx.is_cuda())
    throw UserError("--math bf16: the half-precision mode runs on the cuda backend only (use --device cuda)");
  ctx.math = (math == "strict" || (math == "auto" && !ctx.is_cuda())) ? Ctx::MathMode::strict : Ctx::MathMode::tf32;
  spec.act = math == "bf16" ? DType::bf16 : DType::f32;
}

std::string math_label(const Ctx& ctx, const ModelSpec& spec) {
  if (!ctx.is_cuda()) return "";
  if (spec.act == DType::bf16) return " (bf16 activations)";
  return ctx.math == Ctx::MathMode::tf32 ? " (tf32 math)" : " (strict fp32 math)";
}

}  // namespace aws::cli
