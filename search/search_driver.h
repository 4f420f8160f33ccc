// The two-stage AWS search driver (SPEC.md §1, §5–10): split → stage 1 (ω_share) → T_max loops of
// restore / fine-tune under p_θ / evaluate / PPO update → export of the best and last policies.
// Everything it needs to resume lives in the run directory (search/run_dir.h): running it again on
// the same directory continues after the last completed loop and ends with the same policy.json,
// byte for byte (cpu backend). Proxies (af/nf/it/av) are configurations of this one driver.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/data/dataset.h"
#include "engine/dist/communicator.h"
#include "search/search_config.h"

namespace aws {

// What a front end (the CLI's progress bars, a test) sees of a running search. All optional.
struct SearchObserver {
  virtual ~SearchObserver() = default;
  virtual void message(const std::string& /*line*/) {}
  virtual void stage_begin(const std::string& /*label*/, int64_t /*total*/) {}
  virtual void stage_step(int64_t /*i*/, const std::string& /*status*/) {}
  virtual void stage_end(const std::string& /*status*/) {}
  virtual void loop_done(const nlohmann::json& /*record*/) {}
};

struct SearchResult {
  bool stage1_loaded = false;  // ω_share came from the run directory
  int64_t loops_resumed = 0;   // loops already done when this process started
  int64_t loops_run = 0;       // loops this process ran
  double best_reward = 0;
  int64_t best_loop = -1;
  double stage1_seconds = 0, stage2_seconds = 0;
};

// Loads cfg.data from cfg.data_dir and runs (or resumes) the search in `dir`; with `comm` (several
// ranks, search/search_ranks.h) every rank calls it alike and rank 0 alone writes `dir`.
SearchResult run_search(const SearchConfig& cfg, const std::string& dir, SearchObserver& obs,
                        Communicator* comm = nullptr);

// Same on a training set already in memory (tests; `train` is the official training split).
SearchResult run_search_on(const SearchConfig& cfg, const Dataset& train, const std::string& dir,
                           SearchObserver& obs, Communicator* comm = nullptr);

// 16 hex digits of XXH3-64 over the training set's shape, class count, labels and pixels: the run
// directory records it (config.json "data_fingerprint") and a resume on other data is refused.
std::string data_fingerprint(const Dataset& train);

// Reward of one trajectory (SPEC §7): the mean of the best min(2, n) per-epoch accuracies.
double reward_of(const std::vector<double>& epoch_accs);

}  // namespace aws
