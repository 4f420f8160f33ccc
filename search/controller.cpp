#include "search/controller.h"

#include <cmath>

#include "core/error.h"

namespace aws {

void PpoConfig::validate() const {
  auto bad = [](const std::string& why) { throw UserError("ppo config: " + why); };
  if (pairs < 1) bad("pairs must be >= 1");
  if (parameterization != Parameterization::flat && ppo_elements(pairs) < 0)
    bad(std::string("the ") + parameterization_name(parameterization) + " controller needs pairs = E² (got " +
        std::to_string(pairs) + ")");
  if (slots < 1) bad("slots (K trajectories) must be >= 1");
  if (!(clip > 0 && clip < 1)) bad("clip must be in (0, 1)");
  if (max_steps < 1) bad("max_steps must be >= 1");
  if (!(kl_stop > 0)) bad("kl_stop must be > 0");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) bad("Adam betas must be in [0, 1)");
  if (!(eps > 0)) bad("Adam eps must be > 0");
  if (!(lr_max > 0)) bad("lr_max must be > 0");
  if (lr_warmup_updates < 0) bad("lr_warmup_updates must be >= 0");
  if (!(baseline_weight >= 0 && baseline_weight < 1)) bad("baseline_weight must be in [0, 1)");
  if (!(advantage_scale > 0)) bad("advantage_scale must be > 0");
}

Controller::Controller(PpoConfig cfg) : cfg_(cfg) {
  cfg_.validate();
  const int tn = ppo_theta_size(cfg_.parameterization, cfg_.pairs);
  theta_.assign(tn, 0.0);
  adam_.m.assign(tn, 0.0);
  adam_.v.assign(tn, 0.0);
  baseline_.assign(cfg_.slots, 0.0);
  baseline_set_.assign(cfg_.slots, 0);
}

std::vector<double> Controller::probs() const {
  std::vector<double> p(cfg_.pairs);
  ppo_probs(cfg_.parameterization, theta_.data(), cfg_.pairs, p.data());
  return p;
}

std::vector<double> Controller::best_probs() const {
  AWS_ASSERT(has_best_, "controller: no best θ before the first update");
  std::vector<double> p(cfg_.pairs);
  ppo_probs(cfg_.parameterization, best_theta_.data(), cfg_.pairs, p.data());
  return p;
}

// See PpoUpdateStats::grad_snr. At θ_old every ratio is 1, so no clip is active and the K gradients add.
static double gradient_snr(Parameterization pz, const std::vector<double>& theta, const std::vector<double>& p_old,
                           const std::vector<std::vector<double>>& adv, int n, double clip) {
  const size_t K = adv.size();
  if (K < 2) return std::nan("");
  const size_t tn = theta.size();
  std::vector<std::vector<double>> g(K, std::vector<double>(tn));
  std::vector<double> mean(tn, 0.0);
  for (size_t t = 0; t < K; ++t) {
    ppo_surrogate(pz, theta.data(), p_old.data(), {adv[t]}, n, clip, g[t].data());
    for (size_t i = 0; i < tn; ++i) mean[i] += g[t][i] / double(K);
  }
  double signal = 0, scatter = 0;
  for (size_t i = 0; i < tn; ++i) signal += mean[i] * mean[i];
  for (size_t t = 0; t < K; ++t)
    for (size_t i = 0; i < tn; ++i) scatter += (g[t][i] - mean[i]) * (g[t][i] - mean[i]);
  const double noise = scatter / double(K - 1) / double(K);
  return noise > 0 ? signal / noise : std::nan("");
}

PpoUpdateStats Controller::update(const std::vector<Trajectory>& trajs) {
  const int n = cfg_.pairs;
  AWS_ASSERT(!trajs.empty(), "ppo update without trajectories");
  std::vector<uint8_t> seen(cfg_.slots, 0);
  for (const Trajectory& t : trajs) {
    AWS_ASSERT(t.slot >= 0 && t.slot < cfg_.slots, "ppo update: trajectory slot out of range");
    AWS_ASSERT(!seen[t.slot], "ppo update: two trajectories for one slot");
    AWS_ASSERT(int(t.counts.size()) == n, "ppo update: pair counts of the wrong size");
    AWS_ASSERT(std::isfinite(t.reward), "ppo update: reward is not finite");
    seen[t.slot] = 1;
  }
  PpoUpdateStats st;
  st.update = updates_;
  st.lr = ppo_lr(updates_, cfg_.lr_max, cfg_.lr_warmup_updates);

  // Best θ: the θ that sampled the loop with the highest mean reward so far (first one wins ties).
  double sum = 0;
  for (const Trajectory& t : trajs) sum += t.reward;
  st.mean_reward = sum / double(trajs.size());
  if (!has_best_ || st.mean_reward > best_reward_) {
    has_best_ = true;
    best_reward_ = st.mean_reward;
    best_update_ = updates_;
    best_theta_ = theta_;
    st.new_best = true;
  }

  // Baselines first (EMA: initialized to the first reward), then the advantages.
  std::vector<std::vector<double>> adv;
  const bool loo = cfg_.baseline == BaselineKind::leave_one_out && trajs.size() >= 2;
  for (const Trajectory& t : trajs) {
    double& b = baseline_[t.slot];
    if (loo) {
      b = (sum - t.reward) / double(trajs.size() - 1);
    } else if (!baseline_set_[t.slot]) {
      b = t.reward;
      baseline_set_[t.slot] = 1;
    } else {
      b = cfg_.baseline_weight * b + (1.0 - cfg_.baseline_weight) * t.reward;
    }
    const double a = cfg_.advantage_scale * (t.reward - b);
    st.baselines.push_back(b);
    st.advantages.push_back(a);
    adv.push_back(ppo_pair_advantages(a, t.counts));
  }

  // The surrogate, the KL stop and Adam see the pair probabilities; only θ's shape differs.
  const Parameterization pz = cfg_.parameterization;
  const int tn = int(theta_.size());
  std::vector<double> p_old(n), p_new(n), grad(tn);
  ppo_probs(pz, theta_.data(), n, p_old.data());
  st.grad_snr = gradient_snr(pz, theta_, p_old, adv, n, cfg_.clip);
  for (int s = 0; s < cfg_.max_steps; ++s) {
    ppo_surrogate(pz, theta_.data(), p_old.data(), adv, n, cfg_.clip, grad.data());
    adam_ascent_step(theta_.data(), grad.data(), tn, adam_, st.lr, cfg_.beta1, cfg_.beta2, cfg_.eps);
    st.steps = s + 1;
    ppo_probs(pz, theta_.data(), n, p_new.data());
    st.kl = ppo_kl(p_old.data(), p_new.data(), n);
    if (st.kl > cfg_.kl_stop) break;  // the step that crossed the limit is kept
  }
  st.objective = ppo_surrogate(pz, theta_.data(), p_old.data(), adv, n, cfg_.clip, nullptr);
  ++updates_;
  return st;
}

}  // namespace aws
