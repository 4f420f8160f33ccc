#include "search/ppo.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"

namespace aws {

Parameterization parse_parameterization(const std::string& name) {
  if (name == "flat") return Parameterization::flat;
  if (name == "factored") return Parameterization::factored;
  if (name == "product") return Parameterization::product;
  throw UserError("--controller: unknown parameterization '" + name + "' (flat, factored or product)");
}

const char* parameterization_name(Parameterization p) {
  return p == Parameterization::factored ? "factored" : p == Parameterization::product ? "product" : "flat";
}

int ppo_elements(int pairs) {
  if (pairs < 1) return -1;
  int e = int(std::lround(std::sqrt(double(pairs))));
  return int64_t(e) * e == pairs ? e : -1;
}

int ppo_theta_size(Parameterization param, int pairs) {
  if (param == Parameterization::flat) return pairs;
  const int e = ppo_elements(pairs);
  AWS_ASSERT(e > 0, "factored and product parameterizations need a square number of pairs");
  return param == Parameterization::product ? e : e + pairs;
}

double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

void ppo_probs(const double* theta, int n, double* p) {
  double s = 0;
  for (int k = 0; k < n; ++k) s += (p[k] = sigmoid(theta[k]));
  for (int k = 0; k < n; ++k) p[k] /= s;
}

namespace {

// ∂J/∂θ of one normalized-sigmoid block from h = ∂J/∂q (q = its probabilities). The flat
// parameterization is one such block; the arithmetic order is the flat code's since its first
// version, so flat runs stay bit-identical.
void nsig_backward(const double* theta, int n, const double* h, double* grad) {
  std::vector<double> s(n);
  double S = 0;
  for (int k = 0; k < n; ++k) S += (s[k] = sigmoid(theta[k]));
  double qh = 0;
  for (int k = 0; k < n; ++k) qh += s[k] / S * h[k];
  for (int k = 0; k < n; ++k) grad[k] = s[k] * (1.0 - s[k]) / S * (h[k] - qh);
}

}  // namespace

void ppo_probs(Parameterization param, const double* theta, int pairs, double* p) {
  if (param == Parameterization::flat) return ppo_probs(theta, pairs, p);
  const int e = ppo_elements(pairs);
  AWS_ASSERT(e > 0, "factored and product parameterizations need a square number of pairs");
  std::vector<double> p1(e);
  ppo_probs(theta, e, p1.data());
  if (param == Parameterization::product) {  // p(i, j) = q(i)·q(j)
    for (int i = 0; i < e; ++i)
      for (int j = 0; j < e; ++j) p[int64_t(i) * e + j] = p1[i] * p1[j];
    return;
  }
  for (int i = 0; i < e; ++i) {
    double* row = p + int64_t(i) * e;
    ppo_probs(theta + e + int64_t(i) * e, e, row);  // p₂(· | i)
    for (int j = 0; j < e; ++j) row[j] *= p1[i];
  }
}

void ppo_probs_backward(Parameterization param, const double* theta, int pairs, const double* g, double* grad) {
  if (param == Parameterization::flat) return nsig_backward(theta, pairs, g, grad);
  const int e = ppo_elements(pairs);
  AWS_ASSERT(e > 0, "factored and product parameterizations need a square number of pairs");
  if (param == Parameterization::product) {  // ∂J/∂q(e) = Σ_j g_ej·q(j) + Σ_i g_ie·q(i)
    std::vector<double> q(e), h(e, 0.0);
    ppo_probs(theta, e, q.data());
    for (int i = 0; i < e; ++i)
      for (int j = 0; j < e; ++j) {
        const double gij = g[int64_t(i) * e + j];
        h[i] += gij * q[j];
        h[j] += gij * q[i];
      }
    return nsig_backward(theta, e, h.data(), grad);
  }
  // p(i, j) = p₁(i)·p₂(j|i): ∂J/∂p₁(i) = Σ_j g_ij·p₂(j|i), ∂J/∂p₂(j|i) = g_ij·p₁(i).
  std::vector<double> p1(e), p2(e), h1(e, 0.0), h2(e);
  ppo_probs(theta, e, p1.data());
  for (int i = 0; i < e; ++i) {
    const double* th2 = theta + e + int64_t(i) * e;
    const double* gi = g + int64_t(i) * e;
    ppo_probs(th2, e, p2.data());
    for (int j = 0; j < e; ++j) {
      h1[i] += gi[j] * p2[j];
      h2[j] = gi[j] * p1[i];
    }
    nsig_backward(th2, e, h2.data(), grad + e + int64_t(i) * e);
  }
  nsig_backward(theta, e, h1.data(), grad);
}

std::vector<double> ppo_pair_advantages(double advantage, const std::vector<int64_t>& counts) {
  std::vector<double> a(counts.size(), 0.0);
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  if (total == 0) return a;
  for (size_t k = 0; k < counts.size(); ++k) a[k] = advantage * double(counts[k]) / double(total);
  return a;
}

double ppo_surrogate_probs(const double* p, const double* p_old, const std::vector<std::vector<double>>& adv,
                           int n, double clip, double* g) {
  if (g) std::fill(g, g + n, 0.0);
  const double K = double(adv.size());
  double J = 0;
  for (const std::vector<double>& a : adv) {
    for (int k = 0; k < n; ++k) {
      if (a[k] == 0.0) continue;
      const double r = p[k] / p_old[k];
      const double rc = std::clamp(r, 1.0 - clip, 1.0 + clip);
      const double plain = r * a[k], clipped = rc * a[k];
      // The unclipped term carries the gradient inside the clip range and wherever it is the min.
      const bool active = (r >= 1.0 - clip && r <= 1.0 + clip) || plain < clipped;
      J += std::min(plain, clipped) / K;
      if (g && active) g[k] += a[k] / p_old[k] / K;
    }
  }
  return J;
}

double ppo_surrogate(Parameterization param, const double* theta, const double* p_old,
                     const std::vector<std::vector<double>>& adv, int pairs, double clip, double* grad) {
  std::vector<double> p(pairs), g;
  ppo_probs(param, theta, pairs, p.data());
  if (grad) g.assign(pairs, 0.0);
  const double J = ppo_surrogate_probs(p.data(), p_old, adv, pairs, clip, grad ? g.data() : nullptr);
  if (grad) ppo_probs_backward(param, theta, pairs, g.data(), grad);
  return J;
}

double ppo_surrogate(const double* theta, const double* p_old, const std::vector<std::vector<double>>& adv,
                     int n, double clip, double* grad) {
  return ppo_surrogate(Parameterization::flat, theta, p_old, adv, n, clip, grad);
}

double ppo_kl(const double* p_old, const double* p_new, int n) {
  double kl = 0;
  for (int k = 0; k < n; ++k)
    if (p_old[k] > 0) kl += p_old[k] * (std::log(p_old[k]) - std::log(p_new[k]));
  return kl;
}

double ppo_lr(int64_t update, double lr_max, int warmup_updates) {
  if (warmup_updates <= 0) return lr_max;
  const double u = double(std::min<int64_t>(update, warmup_updates));
  return lr_max * (1.0 / 8.0 + 7.0 / 8.0 * u / double(warmup_updates));
}

void adam_ascent_step(double* theta, const double* grad, int n, AdamState& s, double lr, double beta1,
                      double beta2, double eps) {
  s.t += 1;
  const double bc1 = 1.0 - std::pow(beta1, double(s.t));
  const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, double(s.t)));
  const double step = lr / bc1;
  for (int k = 0; k < n; ++k) {
    s.m[k] = s.m[k] * beta1 + (1.0 - beta1) * grad[k];
    s.v[k] = s.v[k] * beta2 + (1.0 - beta2) * grad[k] * grad[k];
    theta[k] += step * s.m[k] / (std::sqrt(s.v[k]) / bc2_sqrt + eps);
  }
}

std::vector<int64_t> draw_pair_counts(const std::vector<double>& p, int64_t M, const RngKey& key) {
  AWS_ASSERT(!p.empty() && M >= 0, "draw_pair_counts: empty distribution or negative M");
  std::vector<double> cdf(p.size());
  double acc = 0;
  size_t last = 0;  // the last entry with positive probability: where a rounded-up u lands
  for (size_t k = 0; k < p.size(); ++k) {
    AWS_ASSERT(std::isfinite(p[k]) && p[k] >= 0, "draw_pair_counts: probabilities must be finite and >= 0");
    if (p[k] > 0) last = k;
    cdf[k] = (acc += p[k]);
  }
  AWS_ASSERT(acc > 0, "draw_pair_counts: probabilities sum to 0");
  std::vector<int64_t> counts(p.size(), 0);
  const uint64_t stream = rng_stream(key);
  for (int64_t d = 0; d < M; ++d) {
    const Rand4 r = philox4x32(stream, uint32_t(uint64_t(d)), uint32_t(uint64_t(d) >> 32));
    const double u = rand_unit_double(r.v[0], r.v[1]) * acc;
    const size_t k = size_t(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    counts[std::min(k, last)]++;
  }
  return counts;
}

}  // namespace aws
