// The arithmetic of the PPO update of SPEC.md §8, in double precision, as free functions so that
// each piece is tested on its own (search/controller.h strings them together).
// Two parameterizations of the pair distribution p (SPEC §8a), both over pairs k = E·i + j:
//   flat     (the paper's text):   θ ∈ ℝ^pairs,          p_k = σ(θ_k) / Σ_i σ(θ_i)  (normalized sigmoid)
//   factored (the authors' code):  θ = (θ₁ ∈ ℝ^E, θ₂ ∈ ℝ^(E×E) row-major), E² = pairs,
//                                  p(i, j) = p₁(i)·p₂(j | i), p₁ = nsig(θ₁), row i of p₂ = nsig(θ₂[i])
//   product  (ours, elements first: a departure, a coarser policy): θ ∈ ℝ^E, q = nsig(θ),
//                                  p(i, j) = q(i)·q(j); every pair holding element e moves q(e) together
// One surrogate on the pair probabilities, whatever made them:
//   J(p) = (1/K) Σ_t Σ_k min(r_k·A_tk, clip(r_k, 1−ε, 1+ε)·A_tk),  r_k = p_k / p_old(k)
//   g_k = ∂J/∂p_k = (1/K) Σ_t [unclipped term active]·A_tk/p_old(k)
// and one chain rule per parameterization maps g back to ∂J/∂θ; for a normalized sigmoid block
//   ∂J/∂θ_i = σ'(θ_i)/S · (h_i − Σ_j q_j h_j)   (q = the block's probabilities, h = ∂J/∂q).
//   KL(p_old ‖ p_new) = Σ p_old (log p_old − log p_new)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"

namespace aws {

enum class Parameterization { flat, factored, product };

// "flat" / "factored" / "product"; anything else is a UserError naming --controller.
Parameterization parse_parameterization(const std::string& name);
const char* parameterization_name(Parameterization p);

// E with E² = pairs, or −1 when pairs is not a perfect square (factored needs one).
int ppo_elements(int pairs);
// Entries of θ (and of each Adam moment): pairs (flat), E + pairs (factored) or E (product).
int ppo_theta_size(Parameterization param, int pairs);

double sigmoid(double x);

// p = normalized sigmoid of theta (both n long): the flat parameterization.
void ppo_probs(const double* theta, int n, double* p);
// p (pairs entries) from θ (ppo_theta_size entries).
void ppo_probs(Parameterization param, const double* theta, int pairs, double* p);
// ∂J/∂θ (ppo_theta_size entries) from g = ∂J/∂p (pairs entries) at θ.
void ppo_probs_backward(Parameterization param, const double* theta, int pairs, const double* g, double* grad);

// Per-pair advantages A·count_k/Σcount (all zero when no pair was counted).
std::vector<double> ppo_pair_advantages(double advantage, const std::vector<int64_t>& counts);

// The clipped surrogate J at pair probabilities p for K = adv.size() trajectories, each with n
// per-pair advantages; writes g = ∂J/∂p into g (n entries) when g is not null.
double ppo_surrogate_probs(const double* p, const double* p_old, const std::vector<std::vector<double>>& adv,
                           int n, double clip, double* g);

// J at θ; writes ∂J/∂θ (ppo_theta_size entries) into grad when grad is not null.
double ppo_surrogate(Parameterization param, const double* theta, const double* p_old,
                     const std::vector<std::vector<double>>& adv, int pairs, double clip, double* grad);
// The flat parameterization (θ and grad n long).
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

// M pair indices drawn i.i.d. from p (n = p.size() entries, non-negative, positive sum; normalized
// here), returned as multiplicities (n entries summing to M). Draw d uses the Philox counter
// (d mod 2³², d div 2³²) under rng_stream(key) (core/rng.h), one 53-bit uniform and the
// inverse CDF, so the result is a pure function of (p, M, key), and the first M' < M draws are the
// draws of M'. For the sparse search mode.
std::vector<int64_t> draw_pair_counts(const std::vector<double>& p, int64_t M, const RngKey& key);

}  // namespace aws
