// Finite-difference gradient checker (Caffe GradientChecker style) over the op-case table: central
// differences of the random projection loss L = Σ_outputs Σ y·r, in double on the cpu, compared with
// the case's backward. Tolerance is relative to max(1, |analytic|, |numeric|); points whose ±eps
// perturbation crosses a kink (the case's kink pattern changes: ReLU sign, max-pool argmax) are
// skipped. Cases whose cpu implementation takes f32 only are checked in f32 with a coarse step.
#pragma once
#include <cstdint>
#include <string>

#include "tests/support/op_cases.h"

namespace aws::test {

struct GradcheckReport {
  bool ok = true;
  std::string dtype;          // f64, or f32 for an f32-only case
  int64_t checked = 0, skipped_kinks = 0;
  double worst_share = 0;     // worst |a − n| / (tol·scale): the share of the budget used
  std::string worst;          // "input[index]: analytic …, numeric …" of the worst element
  std::string str() const;    // one line for INFO / failure messages
};

// Checks every diff input of `c` with inputs and upstream gradients drawn from `seed`.
GradcheckReport gradcheck(Ctx& ctx, const OpCase& c, uint64_t seed);

}  // namespace aws::test
