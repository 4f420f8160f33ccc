// A search's stage 1 and trajectory runner in its run directory. See search_session.h.
#include "search/search_session.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "augment/builtin_policies.h"
#include "core/clock.h"
#include "core/strprintf.h"
#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "models/precision.h"
#include "train/model_file.h"
#include "train/streamed_folder.h"
#include "engine/runtime/build_info.h"
#include "search/search_mode.h"
#include "search/search_ranks.h"

namespace aws {

using nlohmann::json;

namespace {

// Everything about the target and the data is checked before anything is written: the run directory
// target, the split (D_tr / D_val and the subset of engine/data/split.h, from the data seed), the batch
// against D_tr; so a corrected command is not refused as "another configuration" by files a failed one
// left behind.
Split checked_split(const SearchConfig& cfg, const Dataset& train, const RunDir& rd, bool owner) {
  cfg.validate();
  if (owner) check_run_dir_target(rd);
  return checked_search_split(cfg, train);
}

// The world size stage 1 runs (or ran) at, a semantic field (its arithmetic depends on W; rank 0
// decides from the run directory): P_IT has no stage 1; a finished ω_share keeps the size it was made
// at (stage 2 does not depend on W); an unfinished stage 1 resumes only at its own size.
int stage1_ranks_of(const SearchConfig& cfg, const RunDir& rd, int world) {
  if (parse_proxy(cfg.proxy) == Proxy::it) return 1;
  if (!file_exists(rd.config())) return world;
  const SearchConfig stored = read_search_config(rd.config());
  if (file_exists(rd.omega_share())) return stored.stage1_ranks;
  if (file_exists(rd.stage1()) && stored.stage1_ranks != world)
    throw UserError(rd.stage1() + ": stage 1 stopped part-way at " + std::to_string(stored.stage1_ranks) +
                    " ranks; it resumes only at that many ranks (" + std::to_string(world) + " now)");
  return world;
}

ModelSpec session_spec(const SearchConfig& cfg, const Dataset& train, Ctx& ctx) {
  ModelSpec spec{cfg.model, train.h, train.w, train.c, train.num_classes, float(cfg.bn_momentum)};
  apply_math(cfg.math, ctx, spec);
  return spec;
}

// ModelFileInfo of a stage-1 state (the per-epoch checkpoint and ω_share): the config digest ties it
// to the run.
ModelFileInfo stage1_info(const SearchConfig& cfg, const Normalization& norm, json extra) {
  ModelFileInfo info;
  info.dataset = cfg.data;
  info.norm = norm;
  info.extra = std::move(extra);
  info.extra["config_digest"] = cfg.digest();
  return info;
}

// The digest a stage-1 file was written under; UserError naming it when it is not this run's.
void check_stage1_digest(const std::string& path, const ModelFileInfo& info, const SearchConfig& cfg) {
  const std::string d = info.extra.value("config_digest", std::string("none"));
  if (d != cfg.digest())
    throw UserError(path + ": written by another configuration (digest " + d + ", this run " + cfg.digest() + ")");
}

// Stage 1 (SPEC §6): train from the seed's initialization under `uniform` (P_NF: crop-flip). After
// every epoch but the last the whole state arena goes to stage1.ckpt with the epoch count and the LR
// iteration, so a killed stage 1 resumes at its last finished epoch; the RNG keys are per epoch, so
// the resumed stage 1 ends with the same ω_share, byte for byte on the cpu.
void run_stage1(Ctx& ctx, TrajectoryRunner& r, const SearchConfig& cfg, Proxy proxy, const BatchSource& res,
                const Split& split, const Normalization& norm, const RunDir& rd, const SearchRanks& ranks,
                SearchObserver& obs) {
  const Dataset& d = res.dataset();
  Policy pol = builtin_policy(proxy == Proxy::nf ? "crop-flip" : "uniform");
  AugmentPlan plan = make_augment_plan(pol, d.h, d.w, d.c, norm, PlanOptions{.cropped_upstream = res.crops()});
  const int64_t steps = int64_t(split.train.size()) / cfg.batch;
  LrSchedule lr;
  lr.kind = LrKind::cosine;
  lr.base = cfg.lr;
  lr.floor = cfg.lr_floor;
  lr.total = steps * cfg.stage1_epochs;
  lr.warmup = std::min<int64_t>(lr.total - 1, int64_t(cfg.warmup_epochs * double(steps) + 0.5));
  lr.warmup_from = cfg.warmup_from;
  lr.validate("--lr");
  obs.message("stage 1: " + pol.name + " policy, " + std::to_string(cfg.stage1_epochs) + " epochs of " +
              std::to_string(split.train.size()) + " images, lr " + lr.str());
  int64_t iter = 0;
  int first = 0;
  if (ranks.writes() && file_exists(rd.stage1())) {
    ModelFileInfo info = read_model_file_info(rd.stage1());
    check_stage1_digest(rd.stage1(), info, cfg);
    const json& x = info.extra;
    if (!x.contains("epoch") || !x["epoch"].is_number_integer() || !x.contains("iter") ||
        !x["iter"].is_number_integer() || x["epoch"].get<int64_t>() < 1 ||
        x["epoch"].get<int64_t>() >= cfg.stage1_epochs || x["iter"].get<int64_t>() != x["epoch"].get<int64_t>() * steps)
      throw UserError(rd.stage1() + ": \"epoch\"/\"iter\" missing or inconsistent with " +
                      std::to_string(cfg.stage1_epochs) + " epochs of " + std::to_string(steps) + " steps");
    load_model_file(ctx, rd.stage1(), r.model(), OptimizerState::required);
    first = int(x["epoch"].get<int64_t>());
    iter = x["iter"].get<int64_t>();
    obs.message("stage 1: resuming after epoch " + std::to_string(first) + " from " + rd.stage1());
  }
  if (ranks.size() > 1 && (first = int(ranks.broadcast(ctx, first))) > 0) {  // rank 0's checkpoint, on all
    iter = ranks.broadcast(ctx, iter);
    ranks.broadcast(ctx, r.model().state);
  }
  r.trainer().set_context("stage 1");
  for (int e = first; e < cfg.stage1_epochs; ++e) {
    obs.stage_begin("stage 1 epoch " + std::to_string(e + 1) + "/" + std::to_string(cfg.stage1_epochs), steps);
    RngKey key{cfg.seed, 1, 0, 0, uint32_t(e), 0};
    EpochStats st = r.trainer().train_epoch(res, split.train, plan, key, lr, iter, nullptr,
                                            [&](int64_t s, int64_t, double loss, double acc) {
                                              obs.stage_step(s, strprintf("loss %.4f acc %.2f%%", loss, acc));
                                            });
    double val = r.trainer().evaluate(res, split.val, norm);
    obs.stage_end(strprintf("loss %.4f train %.2f%% val %.2f%%", st.loss, st.acc, val));
    if (e + 1 < cfg.stage1_epochs && ranks.writes()) {
      save_model_file(ctx, rd.stage1(), r.model(), stage1_info(cfg, norm, {{"stage", 1}, {"epoch", e + 1}, {"iter", iter}}),
                      true);
      crash_point("search.stage1_epoch_saved");
    }
  }
}

}  // namespace

Split checked_search_split(const SearchConfig& cfg, const Dataset& train) {
  cfg.validate();
  Split split = make_data_split(train, cfg.val, cfg.subset, cfg.data_seed);
  if (int64_t(split.train.size()) < cfg.batch)
    throw UserError("--batch: " + std::to_string(cfg.batch) + " is larger than D_tr (" +
                    std::to_string(split.train.size()) + " images)");
  return split;
}

TrajectoryRunner::TrajectoryRunner(Ctx& ctx, const SearchConfig& cfg, const ModelSpec& spec, int64_t batch,
                                   Communicator* comm)
    : ctx_(ctx), cfg_(cfg), model_(create_model(spec, batch, ctx.device)),
      sgd_(SgdConfig{float(cfg.momentum), true, float(cfg.weight_decay)}),
      trainer_(ctx, *model_, sgd_,
               TrainOptions{float(cfg.label_smoothing), float(cfg.clip), 1, cfg.cuda_graphs, comm}, batch) {}

TrajectoryOutcome TrajectoryRunner::run(const Snapshot& omega, const BatchSource& res, const Split& split,
                                        const Normalization& norm, const AugmentPlan& plan, Proxy proxy, uint32_t loop,
                                        int slot) {
  TrajectoryOutcome o;
  o.traj.slot = slot;
  o.traj.counts.assign(kPairs, 0);
  auto t0 = Clock::now();
  omega.restore(ctx_, model_->state);
  ctx_.sync();
  o.times.restore = seconds_since(t0);
  if (proxy == Proxy::av) {
    RngKey key{cfg_.seed, 2, loop, uint32_t(slot), 0, 0};
    auto te = Clock::now();  // the augmentation (with the pair counts) is part of this evaluation
    o.accs.push_back(trainer_.evaluate_augmented(res, split.val, plan, key, o.traj.counts.data()));
    o.times.eval = seconds_since(te);
  } else {
    LrSchedule lr;
    lr.kind = LrKind::constant;
    lr.base = cfg_.finetune_lr;
    lr.total = int64_t(split.train.size()) / cfg_.batch * cfg_.finetune_epochs;
    int64_t iter = 0;
    trainer_.set_context("stage 2 loop " + std::to_string(loop) + " trajectory " + std::to_string(slot));
    for (int e = 0; e < cfg_.finetune_epochs; ++e) {
      RngKey key{cfg_.seed, 2, loop, uint32_t(slot), uint32_t(e), 0};
      EpochStats st = trainer_.train_epoch(res, split.train, plan, key, lr, iter, o.traj.counts.data());
      o.times.augment += st.augment_seconds;
      o.times.train += st.seconds - st.augment_seconds;
      auto te = Clock::now();
      o.accs.push_back(trainer_.evaluate(res, split.val, norm));
      o.times.eval += seconds_since(te);
    }
  }
  o.traj.reward = reward_of(o.accs);
  return o;
}

SearchSession::SearchSession(const SearchConfig& cfg, const Dataset& train, const std::string& dir,
                             SearchObserver& obs, Communicator& job)
    : cfg_(cfg), rd_{dir}, proxy_(parse_proxy(cfg.proxy)), train_(train),
      split_(checked_split(cfg, train, rd_, job.rank() == 0)),
      norm_(training_normalization(train, split_.train, cfg.threads)),
      ctx_(device_of_rank(cfg.device_spec(), job.size()), cfg.threads),
      ranks_(ctx_, job, cfg.k),
      runner_(ctx_, cfg_, session_spec(cfg, train, ctx_), cfg.batch / ranks_.group_size(), ranks_.group()),
      res_(make_batch_source(ctx_, train, runner_.model().batch)) {
  // What the run directory records besides the flags: the resolved thread count (cpu), the data and
  // the world size of stage 1.
  if (cfg_.backend() == Device::cpu) cfg_.threads = ctx_.threads;
  cfg_.data_fingerprint = data_fingerprint(train);
  const int world = ranks_.size();
  if (world > 1 && cfg_.batch % world != 0)
    throw UserError("--batch " + std::to_string(cfg_.batch) + " is not divisible by the " + std::to_string(world) +
                    " ranks (stage 1 trains batch / ranks rows of every batch on each)");
  cfg_.stage1_ranks = int(ranks_.broadcast(ctx_, ranks_.writes() ? stage1_ranks_of(cfg_, rd_, world) : 0));
  ranks_.check_same(ctx_, cfg_.digest() + " " + cfg_.data_fingerprint + " " + std::to_string(cfg_.threads) + " " +
                              build_info_json().dump(), "configuration, data, thread count or binary");
  if (ranks_.writes()) {
    lock_ = std::make_unique<RunDirLock>(rd_);
    check_run_dir_target(rd_);  // again under the lock: another process may have written in between
    const std::string note = run_dir_open(rd_, cfg_);
    if (!note.empty()) obs.message(note);
    if (file_exists(rd_.split())) {  // stored; checked against the data seed's
      Split stored = split_load(rd_.split(), train.n);
      if (stored.train != split_.train || stored.val != split_.val)
        throw UserError(rd_.split() + ": the stored split differs from the one of --data-seed " +
                        std::to_string(cfg_.data_seed) + " (another dataset or a damaged run directory)");
    } else {
      split_save(rd_.split(), split_, json{{"data", cfg_.data}, {"seed", cfg_.seed}, {"subset", cfg_.subset}}.dump());
    }
  }
  obs.message("search " + cfg_.digest() + ": " + cfg_.model + " on " + cfg_.data + ", D_tr " +
              std::to_string(split_.train.size()) + ", D_val " + std::to_string(split_.val.size()) + ", proxy " +
              cfg_.proxy + ", T_max " + std::to_string(cfg_.t_max) + ", K " + std::to_string(cfg_.k) + ", " +
              std::to_string(ctx_.threads) + " threads" +
              (world > 1 ? " x " + std::to_string(world) + " ranks" : std::string()) +
              (ranks_.group_size() > 1 ? " (" + std::to_string(ranks_.group_size()) + " per trajectory)"
                                       : std::string()) +
              ", run " + dir);
  if (const size_t ring = res_->ring_bytes())
    obs.message(
        strprintf("decoding %s per batch into a ring of %.1f MiB", train.name.c_str(), double(ring) / (1 << 20)));
  auto t1 = Clock::now();
  const bool have_omega =
      proxy_ != Proxy::it && ranks_.broadcast(ctx_, ranks_.writes() && file_exists(rd_.omega_share())) != 0;
  if (world > 1 && proxy_ != Proxy::it && !have_omega) {
    // Stage 1 data-parallel: batch / W rows per rank on a model of its own; ω_share is its state.
    AWS_ASSERT(cfg_.stage1_ranks == world, "a stage 1 to run at another world size");
    TrajectoryRunner dp(ctx_, cfg_, session_spec(cfg_, train, ctx_), cfg_.batch / world, &ranks_.comm());
    AWS_ASSERT(dp.model().state.bytes() == runner_.model().state.bytes(), "stage-1 and stage-2 states differ");
    stage1(obs, dp, false);
  } else {
    stage1(obs, runner_, have_omega);
  }
  stage1_seconds_ = seconds_since(t1);
}

void SearchSession::stage1(SearchObserver& obs, TrajectoryRunner& r, bool have_omega) {
  Model& model = r.model();
  if (proxy_ == Proxy::it) {
    model.init_params(ctx_, cfg_.seed);
  } else if (have_omega) {
    if (ranks_.writes()) {
      check_stage1_digest(rd_.omega_share(), read_model_file_info(rd_.omega_share()), cfg_);
      load_model_file(ctx_, rd_.omega_share(), model, OptimizerState::required);  // resume needs the momentum
      obs.message("stage 1: omega_share loaded from " + rd_.omega_share());
      std::error_code ec;  // a kill between saving ω_share and removing the epoch checkpoint left it
      std::filesystem::remove(rd_.stage1(), ec);
    }
    ranks_.broadcast(ctx_, model.state);
    stage1_loaded_ = true;
  } else {
    const auto t1 = Clock::now();
    model.init_params(ctx_, cfg_.seed);
    run_stage1(ctx_, r, cfg_, proxy_, *res_, split_, norm_, rd_, ranks_, obs);
    if (ranks_.writes()) {
      save_model_file(ctx_, rd_.omega_share(), model,
                      stage1_info(cfg_, norm_, {{"stage", 1}, {"epochs", cfg_.stage1_epochs},
                                                {"seconds", seconds_since(t1)}}),
                      true);
      crash_point("search.stage1_saved");
      std::error_code ec;  // ω_share supersedes the per-epoch checkpoint
      std::filesystem::remove(rd_.stage1(), ec);
    }
  }
  omega_.take(ctx_, model.state);
  ctx_.sync();
}

TrajectoryOutcome SearchSession::trajectory(const std::vector<double>& probs, uint32_t loop, int slot) {
  return trajectory(probs, loop, slot, proxy_);
}

TrajectoryOutcome SearchSession::trajectory(const std::vector<double>& probs, uint32_t loop, int slot, Proxy as) {
  const bool uniform_stage1 = [](Proxy p) { return p == Proxy::af || p == Proxy::av; }(as);
  AWS_ASSERT(as == proxy_ || (uniform_stage1 && (proxy_ == Proxy::af || proxy_ == Proxy::av)),
             "SearchSession::trajectory: proxy without this session's stage 1");
  const PlanOptions opt{.pair_only = as == Proxy::av, .cropped_upstream = res_->crops()};
  const AugmentPlan plan = make_augment_plan(searched_policy(probs), train_.h, train_.w, train_.c, norm_, opt);
  return runner_.run(omega_, *res_, split_, norm_, plan, as, loop, slot);
}

}  // namespace aws
