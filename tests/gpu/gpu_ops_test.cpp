// Every case of the op table (tests/support/op_cases.h) on the cuda backend against the cpu backend,
// f32, same seeded inputs and upstream gradients: every output, input gradient and updated input
// (running statistics) within the case's relative budget; integer outputs (argmax, counts, dropout
// masks) exactly equal. The share of the budget used is printed per case.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "core/context.h"
#include "tests/support/op_cases.h"
#include "tests/support/oracle.h"

namespace aws::test {

namespace {

struct Diff {
  double rel = 0;
  bool exact = true;  // for integer tensors
  bool finite = true;
};

Diff diff(const HostTensor& gpu, const HostTensor& cpu) {
  Diff d;
  double num = 0, den = 0;
  for (size_t i = 0; i < cpu.v.size(); ++i) {
    const double a = gpu.v[i], b = cpu.v[i];
    if (std::isnan(a) != std::isnan(b)) d.finite = false;
    if (std::isnan(a) || std::isnan(b)) continue;
    if (a != b) d.exact = false;
    num += (a - b) * (a - b);
    den += b * b;
  }
  d.rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  return d;
}

// Compares one map of tensors (outputs, gradients or inputs after the run); returns the worst share.
double check_map(const std::string& what, const HostMap& gpu, const HostMap& cpu, double tol) {
  double worst = 0;
  for (auto& [name, ref] : cpu) {
    INFO(what, " ", name);
    REQUIRE(gpu.count(name) == 1);
    const HostTensor& got = gpu.at(name);
    REQUIRE(got.v.size() == ref.v.size());
    const Diff d = diff(got, ref);
    CHECK(d.finite);
    if (ref.kind != Kind::real) {
      CHECK(d.exact);
    } else {
      INFO("relative error ", d.rel, " tolerance ", tol);
      CHECK(d.rel <= tol);
      worst = std::max(worst, d.rel / tol);
    }
  }
  return worst;
}

// Every case the cuda backend supports in `dtype` (f32, or bf16 activations), run on cuda and on the
// cpu in f32 from the same seeded inputs and upstream gradients; for bf16 those are first rounded to
// bf16 (so both sides see the same numbers). Budget per case: its own plus `extra`. Returns the count.
int compare_every_case(DType dtype, uint64_t seed, double extra) {
  Ctx cpu(Device::cpu), gpu(Device::cuda);
  int ran = 0;
  for (const OpCase& c : all_op_cases()) {
    if (!case_support(c, Device::cuda, dtype).ok) continue;
    INFO("case ", c.name, " seed ", seed, " dtype ", dtype_name(dtype));
    HostMap in = make_inputs(c, seed);
    HostMap dys = make_output_grads(c, seed);
    if (dtype == DType::bf16) {
      round_to_half(c.inputs, in);
      round_to_half(c.outputs, dys);
    }
    const double tol = c.tol + extra;
    const CaseResult want = run_case(cpu, c, DType::f32, in, c.backward ? &dys : nullptr);
    const CaseResult got = run_case(gpu, c, dtype, in, c.backward ? &dys : nullptr);
    double share = check_map("output", got.outputs, want.outputs, tol);
    share = std::max(share, check_map("gradient", got.grads, want.grads, tol));
    share = std::max(share, check_map("input after", got.inputs_after, want.inputs_after, tol));
    // "gpu-vs-cpu" starts the line: scripts/gpu-check greps for it.
    std::printf("gpu-vs-cpu %-4s %-44s %5.1f%% of tolerance %.1e\n", dtype_name(dtype), c.name.c_str(), 100 * share,
                tol);
    ++ran;
  }
  return ran;
}

}  // namespace

TEST_CASE("every op case: cuda matches cpu in f32") {
  CHECK(compare_every_case(DType::f32, test_seed(20261117), 0) >= 10);
}

// The half-precision mode: every case with a bf16 mode runs on cuda with bf16 activations and is
// compared with the cpu in f32 on the same inputs, rounded to bf16 first (so both sides see the same
// numbers). All arithmetic stays f32 (cuDNN accumulates in f32); the gpu rounds each bf16 output once,
// which moves an element by at most u = 2^-8 relative (bf16 keeps 8 significant bits), so the normwise
// relative error is below u. Budget: 2u plus the case's f32 budget; a wrong index, layout or type
// gives O(1).
TEST_CASE("every half-precision op case: cuda bf16 matches cpu f32 on bf16-rounded inputs") {
  // batchnorm train ×5, eval ×4, add, global avgpool, conv2d ×3
  CHECK(compare_every_case(DType::bf16, test_seed(20261125), 2 * std::ldexp(1.0, -8)) >= 12);
}

}  // namespace aws::test
