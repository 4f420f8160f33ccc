#include "search/ppo.h"

#include <algorithm>
#include <cmath>

namespace aws {

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

std::vector<double> ppo_pair_advantages(double advantage, const std::vector<int64_t>& counts) {
  std::vector<double> a(counts.size(), 0.0);
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  if (total == 0) return a;
  for (size_t k = 0; k < counts.size(); ++k) a[k] = advantage * double(counts[k]) / double(total);
  return a;
}

double ppo_surrogate(const double* theta, const double* p_old, const std::vector<std::vector<double>>& adv,
                     int n, double clip, double* grad) {
  std::vector<double> s(n), p(n), g(n, 0.0);
  double S = 0;
  for (int k = 0; k < n; ++k) S += (s[k] = sigmoid(theta[k]));
  for (int k = 0; k < n; ++k) p[k] = s[k] / S;
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
      if (active) g[k] += a[k] / p_old[k] / K;
    }
  }
  if (grad) {
    double pg = 0;
    for (int k = 0; k < n; ++k) pg += p[k] * g[k];
    for (int k = 0; k < n; ++k) grad[k] = s[k] * (1.0 - s[k]) / S * (g[k] - pg);
  }
  return J;
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

}  // namespace aws
