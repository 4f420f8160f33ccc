// Central-difference gradient checker; see gradcheck.h.
#include "tests/support/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace aws::test {

namespace {

double projection(const OpCase& c, const CaseResult& r, const HostMap& dys) {
  double L = 0;
  for (auto& s : c.outputs)
    if (s.diff) {
      const auto& y = r.outputs.at(s.name).v;
      const auto& g = dys.at(s.name).v;
      for (size_t i = 0; i < y.size(); ++i) L += y[i] * g[i];
    }
  return L;
}

std::vector<int64_t> pattern(const OpCase& c, const CaseResult& r) {
  std::vector<int64_t> p;
  for (auto& name : c.kink_outputs) {
    const HostTensor& t = r.outputs.at(name);
    for (double v : t.v) p.push_back(t.kind == Kind::real ? int64_t(v > 0) : int64_t(v));
  }
  return p;
}

}  // namespace

std::string GradcheckReport::str() const {
  std::ostringstream s;
  s << (ok ? "ok" : "FAILED") << " (" << dtype << "): " << checked << " points, " << skipped_kinks
    << " skipped at kinks, worst " << worst_share * 100 << "% of the budget";
  if (!worst.empty()) s << " at " << worst;
  return s.str();
}

GradcheckReport gradcheck(Ctx& ctx, const OpCase& c, uint64_t seed) {
  GradcheckReport rep;
  const bool f64 = case_support(c, ctx.device, DType::f64).ok;
  const DType dt = f64 ? DType::f64 : DType::f32;
  rep.dtype = dtype_name(dt);
  // f32 fallback: a step large enough that rounding stays far below the budget (the f32-only cases
  // are piecewise linear, so the step adds no truncation error away from the kinks).
  const double eps = f64 ? c.grad_eps : 1e-2, tol = f64 ? c.grad_tol : 2e-3;
  HostMap x = make_inputs(c, seed);
  const HostMap r = make_output_grads(c, seed);
  const CaseResult base = run_case(ctx, c, dt, x, &r);
  const std::vector<int64_t> pat0 = pattern(c, base);
  for (auto& s : c.inputs) {
    if (!s.diff) continue;
    const auto& analytic = base.grads.at(s.name).v;
    auto& v = x.at(s.name).v;
    for (size_t i = 0; i < v.size(); ++i) {
      const double keep = v[i];
      v[i] = keep + eps;
      const CaseResult plus = run_case(ctx, c, dt, x, nullptr);
      v[i] = keep - eps;
      const CaseResult minus = run_case(ctx, c, dt, x, nullptr);
      v[i] = keep;
      if (pattern(c, plus) != pat0 || pattern(c, minus) != pat0) {
        rep.skipped_kinks++;
        continue;
      }
      const double numeric = (projection(c, plus, r) - projection(c, minus, r)) / (2 * eps);
      const double a = analytic[i];
      const double scale = std::max({1.0, std::fabs(a), std::fabs(numeric)});
      const double share = std::fabs(a - numeric) / (tol * scale);
      rep.checked++;
      if (!(share <= rep.worst_share) || std::isnan(share)) {
        rep.worst_share = std::isnan(share) ? INFINITY : share;
        std::ostringstream w;
        w.precision(10);
        w << s.name << "[" << i << "]: analytic " << a << ", numeric " << numeric << " (eps " << eps << ", tol " << tol
          << ", seed " << seed << ")";
        rep.worst = w.str();
      }
    }
  }
  rep.ok = rep.worst_share <= 1.0 && rep.checked > 0;
  return rep;
}

}  // namespace aws::test
