// The arithmetic of the PPO update of SPEC.md §8, in double precision, as free functions so that
// each piece is tested on its own (search/controller.h strings them together):
//   p_θ(k) = σ(θ_k) / Σ_i σ(θ_i)                                  (normalized sigmoid)
//   J(θ) = (1/K) Σ_t Σ_k min(r_k·A_tk, clip(r_k, 1−ε, 1+ε)·A_tk),  r_k = p_θ(k) / p_old(k)
//   ∂J/∂θ_i = σ'(θ_i)/S · (g_i − Σ_j p_j g_j),  g_k = ∂J/∂p_k = (1/K) Σ_t [unclipped term active]·A_tk/p_old(k)
//   KL(p_old ‖ p_new) = Σ p_old (log p_old − log p_new)
#pragma once
#include <cstdint>
#include <vector>

namespace aws {

double sigmoid(double x);

// p = normalized sigmoid of theta (both n long).
void ppo_probs(const double* theta, int n, double* p);

// Per-pair advantages A·count_k/Σcount (all zero when no pair was counted).
std::vector<double> ppo_pair_advantages(double advantage, const std::vector<int64_t>& counts);

// The clipped surrogate J at theta for K = adv.size() trajectories, each with n per-pair
// advantages; writes ∂J/∂θ into grad (n entries) when grad is not null.
double ppo_surrogate(const double* theta, const double* p_old, const std::vector<std::vector<double>>& adv,
                     int n, double clip, double* grad);

double ppo_kl(const double* p_old, const double* p_new, int n);

// LR of update u (0-based): lr_max · (1/8 + 7/8 · min(u, warmup)/warmup).
double ppo_lr(int64_t update, double lr_max, int warmup_updates);

// One Adam ascent step (torch.optim.Adam semantics, maximize): t is incremented first.
struct AdamState {
  std::vector<double> m, v;
  int64_t t = 0;
  bool operator==(const AdamState&) const = default;
};
void adam_ascent_step(double* theta, const double* grad, int n, AdamState& s, double lr, double beta1,
                      double beta2, double eps);

}  // namespace aws
