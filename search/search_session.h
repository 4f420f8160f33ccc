// A search's stage 1 and trajectory runner, open in its run directory: what `aws search` and
// `aws correlate` share. Opening a session checks everything before writing (run directory target,
// split, batch, model), takes the run directory's lock, writes or checks config.json and split.ckpt,
// and then loads ω_share or runs stage 1 (resumable per epoch, SPEC §6; P_IT: the seed's
// initialization, nothing stored). A trajectory (SPEC §7) is restore ω_share → fine-tune under a
// plan → evaluate on D_val → reward, with the pairs drawn counted; the search's stage-2 loop
// (search_driver.cpp) and the proxy study (correlate.cpp) both run exactly this.
// Over several ranks (search/search_ranks.h) only rank 0 touches the run directory; stage 1 runs
// data-parallel on all of them (batch / W rows each) and every rank ends with the same ω_share; a
// trajectory runs on one rank, or data-parallel on its group of W/K ranks when W > K.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "augment/pipeline.h"
#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/data/dataset.h"
#include "engine/data/normalize.h"
#include "engine/data/split.h"
#include "engine/optim/sgd.h"
#include "models/layers.h"
#include "search/controller.h"
#include "search/run_dir.h"
#include "search/search_config.h"
#include "search/search_driver.h"
#include "search/search_ranks.h"
#include "train/trainer.h"

namespace aws {


struct TrajectoryTimes {
  double restore = 0, augment = 0, train = 0, eval = 0;
};

struct TrajectoryOutcome {
  Trajectory traj;           // slot, reward (SPEC §7), pair counts
  std::vector<double> accs;  // per fine-tune epoch (one entry for P_AV)
  TrajectoryTimes times;
};

// One model + optimizer + trainer that runs trajectories from a shared ω_share snapshot.
class TrajectoryRunner {
 public:
  // `batch` rows per step (cfg.batch; a data-parallel stage 1: cfg.batch / W over `comm`).
  TrajectoryRunner(Ctx& ctx, const SearchConfig& cfg, const ModelSpec& spec, int64_t batch,
                   Communicator* comm = nullptr);
  Model& model() { return *model_; }
  Trainer& trainer() { return trainer_; }
  // restore ω_share → fine-tune cfg.finetune_epochs under `plan` at the constant cfg.finetune_lr (or,
  // for P_AV, evaluate D_val augmented by `plan`) → per-epoch D_val accuracy → reward. Random keys
  // {seed, 2, loop, slot, epoch}.
  TrajectoryOutcome run(const Snapshot& omega, const BatchSource& res, const Split& split, const Normalization& norm,
                        const AugmentPlan& plan, Proxy proxy, uint32_t loop, int slot);

 private:
  Ctx& ctx_;
  const SearchConfig& cfg_;
  std::unique_ptr<Model> model_;
  Sgd sgd_;
  Trainer trainer_;
};

// The search's D_tr / D_val (engine/data/split.h, from the data seed) after cfg.validate(), with
// --batch checked against D_tr: what a session and `aws correlate` check before writing anything.
Split checked_search_split(const SearchConfig& cfg, const Dataset& train);

class SearchSession {
 public:
  // `train` is the official training split; it and `job` (the job's ranks) must outlive the session.
  SearchSession(const SearchConfig& cfg, const Dataset& train, const std::string& dir, SearchObserver& obs,
                Communicator& job);
  SearchSession(const SearchSession&) = delete;
  SearchSession& operator=(const SearchSession&) = delete;

  const SearchConfig& config() const { return cfg_; }  // resolved: threads, data fingerprint
  const RunDir& run_dir() const { return rd_; }
  Proxy proxy() const { return proxy_; }
  Ctx& ctx() { return ctx_; }
  const SearchRanks& ranks() const { return ranks_; }
  const Split& split() const { return split_; }
  const Normalization& norm() const { return norm_; }
  const Snapshot& omega() const { return omega_; }
  bool stage1_loaded() const { return stage1_loaded_; }
  double stage1_seconds() const { return stage1_seconds_; }

  // One trajectory under `probs` (1296 pair probabilities) for this session's proxy; `as` may name
  // P_AV in a P_AF session or the reverse (their stage 1 is the same uniform one).
  TrajectoryOutcome trajectory(const std::vector<double>& probs, uint32_t loop, int slot);
  TrajectoryOutcome trajectory(const std::vector<double>& probs, uint32_t loop, int slot, Proxy as);

 private:
  // Stage 1 → ω_share (P_IT: the initialization), on `r`'s model: loaded when the run directory has
  // it (`have_omega`, rank 0's answer), else trained; rank 0 reads and writes the files.
  void stage1(SearchObserver& obs, TrajectoryRunner& r, bool have_omega);

  SearchConfig cfg_;
  RunDir rd_;
  Proxy proxy_;
  const Dataset& train_;
  Split split_;
  Normalization norm_;
  Ctx ctx_;  // this rank's device: on cuda with several ranks, the GPU of its local rank
  SearchRanks ranks_;
  TrajectoryRunner runner_;
  std::unique_ptr<BatchSource> res_;  // resident images, or a streamed folder decoded per batch
  std::unique_ptr<RunDirLock> lock_;  // rank 0's
  Snapshot omega_;
  bool stage1_loaded_ = false;
  double stage1_seconds_ = 0;
};

}  // namespace aws
