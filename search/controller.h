// The PPO controller of the search (SPEC.md §1, §7, §8): θ over the 1296 pair-ops (flat, the paper's
// text) or over 36 first elements and 36×36 second elements (factored, the authors' code; SPEC §8a),
// one EMA baseline per trajectory slot, one persistent Adam state, best and last θ. Host-side, double
// precision.
// Its whole state serializes to bytes and back exactly, so a resumed search replays bit for bit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "search/ppo.h"

namespace aws {

// The baseline b of the advantage A = 0.5·(R − b): the paper's EMA per trajectory slot, or (sparse
// mode, K >= 2) the mean of the other K − 1 rewards of the same update, which removes what the loop's
// trajectories share (ω_share's state, the update's θ) from each one's advantage.
enum class BaselineKind : uint8_t { ema, leave_one_out };

struct PpoConfig {
  int pairs = 1296;              // pair-ops (36², SPEC §1); factored needs a square
  Parameterization parameterization = Parameterization::flat;  // θ: `pairs` (flat) or E + pairs (factored)
  int slots = 1;                 // K trajectory slots, each with its own baseline
  double clip = 0.2;             // ratio clip ε
  int max_steps = 5;             // Adam steps per update
  double kl_stop = 0.002;        // stop after the step whose KL(p_old ‖ p_new) exceeds this
  double beta1 = 0.5, beta2 = 0.999, eps = 1e-8;
  double lr_max = 0.1;           // 0.2 on ImageNet per the paper
  int lr_warmup_updates = 10;    // LR 0.1·(1/8 + 7/8·min(u,10)/10)
  double baseline_weight = 0.9;  // b ← 0.9·b + 0.1·R
  double advantage_scale = 0.5;  // A = 0.5·(R − b)
  BaselineKind baseline = BaselineKind::ema;

  // Throws UserError naming the offending field.
  void validate() const;
  bool operator==(const PpoConfig&) const = default;
};

// One trajectory's outcome: which slot ran it, its reward and how often each pair was used.
struct Trajectory {
  int slot = 0;
  double reward = 0;
  std::vector<int64_t> counts;  // `pairs` entries
};

// What one update did, for the JSONL log.
struct PpoUpdateStats {
  int64_t update = 0;              // u of this update (0-based)
  double lr = 0;
  int steps = 0;                   // Adam steps taken
  double kl = 0;                   // KL(p_old ‖ p_new) after the last step
  double objective = 0;            // surrogate J after the last step
  std::vector<double> baselines;   // per trajectory (in input order), after the EMA update
  std::vector<double> advantages;  // per trajectory
  double mean_reward = 0;          // over this update's trajectories (what best θ is chosen by)
  // Signal-to-noise ratio of the update's gradient at θ_old: |mean g_t|² / (Σ_t |g_t − mean|² / (K−1) / K),
  // g_t the gradient of trajectory t's surrogate alone; > 1 when the mean stands out of its own scatter.
  // Needs K >= 2 (NaN otherwise).
  double grad_snr = 0;
  bool new_best = false;
};

class Controller {
 public:
  explicit Controller(PpoConfig cfg = {});

  // One PPO update from the trajectories sampled under the current θ (one per slot at most,
  // processed in the given order; pass them in slot order for reproducibility).
  PpoUpdateStats update(const std::vector<Trajectory>& trajs);

  const PpoConfig& config() const { return cfg_; }
  const std::vector<double>& theta() const { return theta_; }  // ppo_theta_size entries
  std::vector<double> probs() const;  // p_θ over the `pairs` pair-ops
  int64_t updates() const { return updates_; }
  const AdamState& adam() const { return adam_; }
  const std::vector<double>& baselines() const { return baseline_; }
  bool baseline_set(int slot) const { return baseline_set_[slot] != 0; }

  // The θ that sampled the loop with the highest mean reward over its trajectories so far (before
  // that loop's update; SPEC §7, the authors' rewards_mean), that mean and the update index; the
  // first such loop wins ties; has_best() is false before the first update.
  bool has_best() const { return has_best_; }
  const std::vector<double>& best_theta() const { return best_theta_; }
  std::vector<double> best_probs() const;
  double best_reward() const { return best_reward_; }
  int64_t best_update() const { return best_update_; }

  // Exact byte image of the whole state (config included), with magic, version and XXH3 checksum.
  std::vector<uint8_t> serialize() const;
  // Rejects anything that serialize() did not write with a UserError naming `source`.
  static Controller deserialize(const std::vector<uint8_t>& bytes, const std::string& source = "controller state");

  bool operator==(const Controller&) const = default;

 private:
  PpoConfig cfg_;
  std::vector<double> theta_;
  AdamState adam_;
  std::vector<double> baseline_;
  std::vector<uint8_t> baseline_set_;
  int64_t updates_ = 0;
  bool has_best_ = false;
  double best_reward_ = 0;
  int64_t best_update_ = -1;
  std::vector<double> best_theta_;
};

}  // namespace aws
