// The search driver: split, stage 1, the stage-2 loop, export. See search_driver.h.
// One TrajectoryRunner owns a model, its optimizer and trainer; a trajectory is restore → fine-tune →
// evaluate → reward. The K trajectories of a loop run one after another on the cpu; on one GPU they
// could run concurrently with K runners sharing the resident data and the ω_share snapshot.
#include "search/search_driver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <xxhash.h>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/pipeline.h"
#include "augment/policy_json.h"
#include "engine/core/arena.h"
#include "engine/core/build_info.h"
#include "engine/core/error.h"
#include "engine/core/memory.h"
#include "engine/data/normalize.h"
#include "engine/data/registry.h"
#include "engine/data/split.h"
#include "engine/io/atomic_file.h"
#include "engine/io/jsonl.h"
#include "engine/optim/sgd.h"
#include "models/layers.h"
#include "models/precision.h"
#include "search/controller.h"
#include "search/policy_stats.h"
#include "search/search_mode.h"
#include "search/model_file.h"
#include "search/run_dir.h"
#include "search/trainer.h"

namespace aws {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

// D_tr / D_val (SPEC §5), then an optional stratified subset of D_tr: the one data split of
// engine/data/split.h, drawn from the data seed; stored in the run directory.
Split make_search_split(const Dataset& train, const SearchConfig& cfg) {
  return make_data_split(train, cfg.val, cfg.subset, cfg.data_seed);
}

json top_pairs_json(const std::vector<double>& probs, int k) {
  json out = json::array();
  for (auto [pair, p] : policy_top(probs, k))
    out.push_back(json{{"pair", {pair / kElements, pair % kElements}},
                       {"names", {element_info(pair / kElements).name, element_info(pair % kElements).name}},
                       {"p", p}});
  return out;
}

struct TrajectoryTimes {
  double restore = 0, augment = 0, train = 0, eval = 0;
};

struct TrajectoryOutcome {
  Trajectory traj;
  std::vector<double> accs;  // per fine-tune epoch (one entry for P_AV)
  TrajectoryTimes times;
};

// One model + optimizer + trainer that runs trajectories from the shared ω_share snapshot.
class TrajectoryRunner {
 public:
  TrajectoryRunner(Ctx& ctx, const SearchConfig& cfg, const ModelSpec& spec)
      : ctx_(ctx), cfg_(cfg), model_(create_model(spec, cfg.batch, ctx.device)),
        sgd_(SgdConfig{float(cfg.momentum), true, float(cfg.weight_decay)}),
        trainer_(ctx, *model_, sgd_, TrainOptions{float(cfg.label_smoothing), float(cfg.clip), 1, cfg.cuda_graphs}, cfg.batch) {}

  Model& model() { return *model_; }
  Trainer& trainer() { return trainer_; }

  // restore ω_share → fine-tune E epochs under `plan` (or, for P_AV, evaluate on D_val augmented by
  // `plan`) → per-epoch D_val accuracy → reward, with the pairs drawn counted.
  TrajectoryOutcome run(const Snapshot& omega, const ResidentImages& res, const Split& split, const Normalization& norm,
                        const AugmentPlan& plan, Proxy proxy, uint32_t loop, int slot) {
    TrajectoryOutcome o;
    o.traj.slot = slot;
    o.traj.counts.assign(kPairs, 0);
    auto t0 = Clock::now();
    omega.restore(ctx_, model_->state);
    ctx_.sync();
    o.times.restore = since(t0);
    if (proxy == Proxy::av) {
      RngKey key{cfg_.seed, 2, loop, uint32_t(slot), 0, 0};
      auto te = Clock::now();  // the augmentation (with the pair counts) is part of this evaluation
      o.accs.push_back(trainer_.evaluate_augmented(res, split.val, plan, key, o.traj.counts.data()));
      o.times.eval = since(te);
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
        o.times.eval += since(te);
      }
    }
    o.traj.reward = reward_of(o.accs);
    return o;
  }

 private:
  Ctx& ctx_;
  const SearchConfig& cfg_;
  std::unique_ptr<Model> model_;
  Sgd sgd_;
  Trainer trainer_;
};

// ModelFileInfo of a stage-1 state (the per-epoch checkpoint and ω_share): the config digest ties it
// to the run.
ModelFileInfo stage1_info(const SearchConfig& cfg, const Normalization& norm, nlohmann::json extra) {
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
void run_stage1(Ctx& ctx, TrajectoryRunner& r, const SearchConfig& cfg, Proxy proxy, const ResidentImages& res,
                const Split& split, const Normalization& norm, const RunDir& rd, SearchObserver& obs) {
  const Dataset& d = res.dataset();
  Policy pol = builtin_policy(proxy == Proxy::nf ? "crop-flip" : "uniform");
  AugmentPlan plan = make_augment_plan(pol, d.h, d.w, d.c, norm);
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
  if (file_exists(rd.stage1())) {
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
  r.trainer().set_context("stage 1");
  for (int e = first; e < cfg.stage1_epochs; ++e) {
    obs.stage_begin("stage 1 epoch " + std::to_string(e + 1) + "/" + std::to_string(cfg.stage1_epochs), steps);
    RngKey key{cfg.seed, 1, 0, 0, uint32_t(e), 0};
    EpochStats st = r.trainer().train_epoch(res, split.train, plan, key, lr, iter, nullptr,
                                            [&](int64_t s, int64_t, double loss, double acc) {
                                              obs.stage_step(s, fmt("loss %.4f acc %.2f%%", loss, acc));
                                            });
    double val = r.trainer().evaluate(res, split.val, norm);
    obs.stage_end(fmt("loss %.4f train %.2f%% val %.2f%%", st.loss, st.acc, val));
    if (e + 1 < cfg.stage1_epochs) {
      save_model_file(ctx, rd.stage1(), r.model(), stage1_info(cfg, norm, {{"stage", 1}, {"epoch", e + 1}, {"iter", iter}}),
                      true);
      crash_point("search.stage1_epoch_saved");
    }
  }
}

void export_policies(const RunDir& rd, const SearchConfig& cfg, const ControllerState& cs) {
  const Controller& c = cs.controller;
  Policy best = searched_policy(c.best_probs());
  best.source_json = json{{"config_digest", cfg.digest()}, {"seed", cfg.seed}, {"theta", "best"},
                          {"loop", c.best_update()}, {"reward", c.best_reward()}, {"proxy", cfg.proxy},
                          {"model", cfg.model}, {"data", cfg.data},
                          {"build", build_info_json()}}.dump();
  write_policy_json(rd.policy(), best);
  Policy last = searched_policy(c.probs());
  last.source_json = json{{"config_digest", cfg.digest()}, {"seed", cfg.seed}, {"theta", "last"},
                          {"loop", cs.loops_done - 1}, {"reward", cs.last_reward}, {"proxy", cfg.proxy},
                          {"model", cfg.model}, {"data", cfg.data},
                          {"build", build_info_json()}}.dump();
  write_policy_json(rd.policy_last(), last);
}

}  // namespace

double reward_of(const std::vector<double>& accs) {
  if (accs.empty()) return 0;
  std::vector<double> s = accs;
  std::sort(s.begin(), s.end(), std::greater<double>());
  const size_t n = std::min<size_t>(2, s.size());
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += s[i];
  return sum / double(n);
}

SearchResult run_search(const SearchConfig& cfg, const std::string& dir, SearchObserver& obs) {
  cfg.validate();
  Dataset train = load_dataset(cfg.data, cfg.data_dir, true);
  return run_search_on(cfg, train, dir, obs);
}

std::string data_fingerprint(const Dataset& d) {
  XXH3_state_t* st = XXH3_createState();
  AWS_ASSERT(st != nullptr, "XXH3_createState");
  XXH3_64bits_reset(st);
  const int64_t shape[5] = {d.n, d.h, d.w, d.c, int64_t(d.num_classes)};
  XXH3_64bits_update(st, shape, sizeof shape);
  XXH3_64bits_update(st, d.labels.data(), d.labels.size() * sizeof(d.labels[0]));
  XXH3_64bits_update(st, d.images.data(), d.images.size());
  const unsigned long long h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

SearchResult run_search_on(const SearchConfig& cfg_in, const Dataset& train, const std::string& dir,
                           SearchObserver& obs) {
  cfg_in.validate();
  const Proxy proxy = parse_proxy(cfg_in.proxy);
  const RunDir rd{dir};
  SearchResult result;
  // Everything is checked before anything is written: the run directory target, the split, the batch
  // against D_tr, the model (built here), so a corrected command is not refused as "another
  // configuration" by files a failed one left behind.
  check_run_dir_target(rd);
  Split split = make_search_split(train, cfg_in);
  if (int64_t(split.train.size()) < cfg_in.batch)
    throw UserError("--batch: " + std::to_string(cfg_in.batch) + " is larger than D_tr (" +
                    std::to_string(split.train.size()) + " images)");
  const Normalization norm = compute_normalization(train, split.train);

  Ctx ctx(cfg_in.device == "cuda" ? Device::cuda : Device::cpu, cfg_in.threads);
  // What the run directory records besides the flags: the resolved thread count (cpu) and the data.
  SearchConfig resolved = cfg_in;
  if (resolved.device == "cpu") resolved.threads = ctx.threads;
  resolved.data_fingerprint = data_fingerprint(train);
  const SearchConfig& cfg = resolved;
  ModelSpec spec{cfg.model, train.h, train.w, train.c, train.num_classes, float(cfg.bn_momentum)};
  apply_math(cfg.math, ctx, spec);
  TrajectoryRunner runner(ctx, cfg, spec);
  ResidentImages res(ctx, train);

  const RunDirLock lock(rd);
  check_run_dir_target(rd);  // again under the lock: another process may have written in between
  const std::string note = run_dir_open(rd, cfg);
  if (!note.empty()) obs.message(note);
  // Split (stored; a stored one is checked against the seed's).
  if (file_exists(rd.split())) {
    Split stored = split_load(rd.split(), train.n);
    if (stored.train != split.train || stored.val != split.val)
      throw UserError(rd.split() + ": the stored split differs from the one of --seed " + std::to_string(cfg.seed) +
                      " (another dataset or a damaged run directory)");
  } else {
    split_save(rd.split(), split, json{{"data", cfg.data}, {"seed", cfg.seed}, {"subset", cfg.subset}}.dump());
  }
  obs.message("search " + cfg.digest() + ": " + cfg.model + " on " + cfg.data + ", D_tr " +
              std::to_string(split.train.size()) + ", D_val " + std::to_string(split.val.size()) + ", proxy " +
              cfg.proxy + ", T_max " + std::to_string(cfg.t_max) + ", K " + std::to_string(cfg.k) + ", " +
              std::to_string(ctx.threads) + " threads, run " + dir);

  // Stage 1 → ω_share (P_IT: the initialization itself).
  auto t1 = Clock::now();
  Model& model = runner.model();
  if (proxy == Proxy::it) {
    model.init_params(ctx, cfg.seed);
  } else if (file_exists(rd.omega_share())) {
    check_stage1_digest(rd.omega_share(), read_model_file_info(rd.omega_share()), cfg);
    load_model_file(ctx, rd.omega_share(), model, OptimizerState::required);  // resume needs the momentum
    result.stage1_loaded = true;
    obs.message("stage 1: omega_share loaded from " + rd.omega_share());
    std::error_code ec;  // a kill between saving ω_share and removing the epoch checkpoint left it
    std::filesystem::remove(rd.stage1(), ec);
  } else {
    model.init_params(ctx, cfg.seed);
    run_stage1(ctx, runner, cfg, proxy, res, split, norm, rd, obs);
    save_model_file(ctx, rd.omega_share(), model,
                    stage1_info(cfg, norm, {{"stage", 1}, {"epochs", cfg.stage1_epochs}, {"seconds", since(t1)}}), true);
    crash_point("search.stage1_saved");
    std::error_code ec;  // ω_share supersedes the per-epoch checkpoint
    std::filesystem::remove(rd.stage1(), ec);
  }
  Snapshot omega;
  omega.take(ctx, model.state);
  ctx.sync();
  result.stage1_seconds = since(t1);

  // Stage 2: controller state from the run directory, or fresh.
  const PpoConfig pc = search_ppo_config(cfg);
  const SearchMode mode = parse_search_mode(cfg.mode);
  const PlantedSignal plant = parse_plant(cfg.plant);
  ControllerState cs{Controller(pc), 0, 0.0, cfg.digest()};
  if (file_exists(rd.controller())) {
    cs = read_controller_state(rd.controller());
    if (cs.digest != cfg.digest())
      throw UserError(rd.controller() + ": written by another configuration (digest " + cs.digest + ")");
    if (!(cs.controller.config() == pc))
      throw UserError(rd.controller() + ": controller configuration does not match --k " + std::to_string(cfg.k) +
                      " --controller " + cfg.controller);
    if (cs.loops_done > cfg.t_max)
      throw UserError(rd.controller() + ": " + std::to_string(cs.loops_done) + " loops done, more than --t-max " +
                      std::to_string(cfg.t_max));
  }
  truncate_log(rd.log(), cs.loops_done);
  result.loops_resumed = cs.loops_done;
  if (cs.loops_done > 0)
    obs.message("stage 2: resuming after loop " + std::to_string(cs.loops_done) + "/" + std::to_string(cfg.t_max));

  JsonlWriter log(rd.log(), true);
  auto t2 = Clock::now();
  obs.stage_begin("stage 2 loops", cfg.t_max);
  for (int64_t loop = cs.loops_done; loop < cfg.t_max; ++loop) {
    const uint64_t allocs0 = mem_alloc_count(ctx.device);
    auto tl = Clock::now();
    const std::vector<double> probs = cs.controller.probs();
    const double entropy_before = policy_entropy(probs);
    std::vector<TrajectoryOutcome> outs;
    std::vector<Trajectory> trajs;
    json draws = json::array(), penalties = json::array(), counted = json::array();
    TrajectoryTimes sum;
    for (int t = 0; t < cfg.k; ++t) {
      // Paper mode: every trajectory fine-tunes under p_θ; sparse: under its own draw of M pairs.
      const TrajectoryDraw d = draw_trajectory(mode, probs, cfg.sparse_pairs, cfg.seed, uint32_t(loop), uint32_t(t));
      const AugmentPlan plan = make_augment_plan(searched_policy(d.probs), train.h, train.w, train.c, norm,
                                                 PlanOptions{proxy == Proxy::av});
      outs.push_back(runner.run(omega, res, split, norm, plan, proxy, uint32_t(loop), t));
      TrajectoryOutcome& o = outs.back();
      int64_t images = 0;
      for (int64_t c : o.traj.counts) images += c;
      counted.push_back(images);
      if (plant.active()) {  // the planted signal: a known cost of the chosen element's share
        const double pen = planted_penalty(plant, o.traj.counts);
        penalties.push_back(pen);
        o.traj.reward -= pen;
      }
      if (mode == SearchMode::sparse) {
        json pairs = json::array();
        for (size_t k = 0; k < d.draw.size(); ++k)
          for (int64_t m = 0; m < d.draw[k]; ++m) pairs.push_back(k);
        draws.push_back(pairs);
      }
      Trajectory tr = o.traj;
      tr.counts = update_counts(d, o.traj.counts);
      trajs.push_back(std::move(tr));
      sum.restore += o.times.restore;
      sum.augment += o.times.augment;
      sum.train += o.times.train;
      sum.eval += o.times.eval;
    }
    auto tp = Clock::now();
    PpoUpdateStats st = cs.controller.update(trajs);
    const double ppo_s = since(tp);
    double mean_reward = 0;
    for (const auto& tr : trajs) mean_reward += tr.reward / double(trajs.size());
    cs.loops_done = loop + 1;
    cs.last_reward = mean_reward;
    const std::vector<double> after = cs.controller.probs();
    json rewards = json::array(), accs = json::array();
    for (const auto& o : outs) rewards.push_back(o.traj.reward), accs.push_back(o.accs);
    const double loop_s = since(tl);
    json rec{{"loop", loop},
             {"reward", mean_reward},
             {"rewards", rewards},
             {"val_accs", accs},
             {"baseline", st.baselines},
             {"advantage", st.advantages},
             {"kl", st.kl},
             {"ppo_steps", st.steps},
             {"ppo_lr", st.lr},
             {"objective", st.objective},
             {"new_best", st.new_best},
             {"best_reward", cs.controller.best_reward()},
             {"best_loop", cs.controller.best_update()},
             {"entropy_sampled", entropy_before},
             {"entropy", policy_entropy(after)},
             {"top", top_pairs_json(after, 5)},
             {"kl_uniform", kl_to_uniform(after)},
             {"images_counted", counted},
             {"grad_snr", std::isfinite(st.grad_snr) ? json(st.grad_snr) : json()},
             {"mem_allocs", mem_alloc_count(ctx.device) - allocs0},
             {"seconds", json{{"restore", sum.restore},
                              {"augment", sum.augment},
                              {"train", sum.train},
                              {"eval", sum.eval},
                              {"ppo", ppo_s},
                              {"loop", loop_s}}}};
    if (mode == SearchMode::sparse) rec["draws"] = draws;
    if (plant.active()) {
      rec["planted_penalty"] = penalties;
      rec["element_pair_mass"] = element_pair_mass(after, plant.element);
    }
    log.write(rec);
    crash_point("search.loop_logged");
    write_controller_state(rd.controller(), cs);
    crash_point("search.loop_end");
    ++result.loops_run;
    obs.loop_done(rec);
    obs.stage_step(loop + 1, fmt("R %.2f b %.2f H %.3f", mean_reward, st.baselines.empty() ? 0.0 : st.baselines[0],
                                 policy_entropy(after)));
  }
  obs.stage_end(fmt("best R %.2f at loop %.0f", cs.controller.best_reward(), double(cs.controller.best_update())));
  result.stage2_seconds = since(t2);
  export_policies(rd, cfg, cs);
  crash_point("search.exported");
  result.best_reward = cs.controller.best_reward();
  result.best_loop = cs.controller.best_update();
  return result;
}

}  // namespace aws
