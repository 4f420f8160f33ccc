// The search driver: split, stage 1, the stage-2 loop, export. See search_driver.h.
// The session (search/search_session.h) holds stage 1 and the trajectory runner; the K trajectories of
// a loop run one after another on the cpu; on one GPU they could run concurrently with K runners
// sharing the resident data and the ω_share snapshot.
#include "search/search_driver.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include <xxhash.h>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/policy_json.h"
#include "core/clock.h"
#include "core/strprintf.h"
#include "engine/runtime/build_info.h"
#include "core/error.h"
#include "engine/runtime/memory.h"
#include "engine/data/registry.h"
#include "engine/io/atomic_file.h"
#include "engine/io/jsonl.h"
#include "search/controller.h"
#include "search/policy_stats.h"
#include "search/search_mode.h"
#include "search/search_ranks.h"
#include "search/run_dir.h"
#include "search/search_session.h"

namespace aws {

using nlohmann::json;

namespace {

json top_pairs_json(const std::vector<double>& probs, int k) {
  json out = json::array();
  for (auto [pair, p] : policy_top(probs, k))
    out.push_back(json{{"pair", {pair / kElements, pair % kElements}},
                       {"names", {element_info(pair / kElements).name, element_info(pair % kElements).name}},
                       {"p", p}});
  return out;
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

SearchResult run_search(const SearchConfig& cfg, const std::string& dir, SearchObserver& obs, Communicator* comm) {
  cfg.validate();
  Dataset train = load_dataset(cfg.data, cfg.data_dir, true);
  return run_search_on(cfg, train, dir, obs, comm);
}

std::string data_fingerprint(const Dataset& d) {
  XXH3_state_t* st = XXH3_createState();
  AWS_ASSERT(st != nullptr, "XXH3_createState");
  XXH3_64bits_reset(st);
  const int64_t shape[5] = {d.n, d.h, d.w, d.c, int64_t(d.num_classes)};
  XXH3_64bits_update(st, shape, sizeof shape);
  XXH3_64bits_update(st, d.labels.data(), d.labels.size() * sizeof(d.labels[0]));
  XXH3_64bits_update(st, d.images.data(), d.images.size());
  XXH3_64bits_update(st, d.stream_fingerprint.data(), d.stream_fingerprint.size());  // empty unless streamed
  const unsigned long long h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

SearchResult run_search_on(const SearchConfig& cfg_in, const Dataset& train, const std::string& dir,
                           SearchObserver& obs, Communicator* comm) {
  const std::unique_ptr<Communicator> alone = comm ? nullptr : make_single_communicator();
  SearchSession session(cfg_in, train, dir, obs, comm ? *comm : *alone);  // checks, run dir, split, stage 1
  const SearchRanks& ranks = session.ranks();
  const SearchConfig& cfg = session.config();
  const RunDir& rd = session.run_dir();
  Ctx& ctx = session.ctx();
  SearchResult result;
  result.stage1_loaded = session.stage1_loaded();
  result.stage1_seconds = session.stage1_seconds();

  // Stage 2: controller state from the run directory, or fresh.
  const PpoConfig pc = search_ppo_config(cfg);
  const SearchMode mode = parse_search_mode(cfg.mode);
  const PlantedSignal plant = parse_plant(cfg.plant);
  ControllerState cs{Controller(pc), 0, 0.0, cfg.digest()};
  const bool resumed = ranks.broadcast(ctx, ranks.writes() && file_exists(rd.controller())) != 0;
  if (resumed && ranks.writes()) {
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
  if (resumed && ranks.size() > 1) {  // rank 0's controller state, on every rank
    std::vector<uint8_t> bytes = ranks.writes() ? cs.controller.serialize() : std::vector<uint8_t>();
    ranks.broadcast(ctx, bytes);
    if (!ranks.writes()) cs.controller = Controller::deserialize(bytes, "rank 0's " + rd.controller());
    cs.loops_done = ranks.broadcast(ctx, cs.loops_done);
    cs.last_reward = ranks.broadcast_real(ctx, cs.last_reward);
  }
  if (ranks.writes()) truncate_log(rd.log(), cs.loops_done);
  result.loops_resumed = cs.loops_done;
  if (cs.loops_done > 0)
    obs.message("stage 2: resuming after loop " + std::to_string(cs.loops_done) + "/" + std::to_string(cfg.t_max));

  std::unique_ptr<JsonlWriter> log = ranks.writes() ? std::make_unique<JsonlWriter>(rd.log(), true) : nullptr;
  const int accs_per_trajectory = session.proxy() == Proxy::av ? 1 : cfg.finetune_epochs;
  auto t2 = Clock::now();
  obs.stage_begin("stage 2 loops", cfg.t_max);
  for (int64_t loop = cs.loops_done; loop < cfg.t_max; ++loop) {
    const uint64_t allocs0 = mem_alloc_count(ctx.device);
    auto tl = Clock::now();
    const std::vector<double> probs = cs.controller.probs();
    const double entropy_before = policy_entropy(probs);
    std::vector<TrajectoryOutcome> outs(static_cast<size_t>(cfg.k));
    std::vector<TrajectoryDraw> drawn;
    for (int t = 0; t < cfg.k; ++t) {
      // Paper mode: every trajectory fine-tunes under p_θ; sparse: under its own draw of M pairs.
      drawn.push_back(draw_trajectory(mode, probs, cfg.sparse_pairs, cfg.seed, uint32_t(loop), uint32_t(t)));
      if (ranks.runs_slot(t)) outs[size_t(t)] = session.trajectory(drawn.back().probs, uint32_t(loop), t);
    }
    ranks.gather(ctx, outs, accs_per_trajectory);  // every slot's outcome, in slot order, on every rank
    std::vector<Trajectory> trajs;
    json draws = json::array(), penalties = json::array(), counted = json::array();
    TrajectoryTimes sum;
    for (int t = 0; t < cfg.k; ++t) {
      const TrajectoryDraw& d = drawn[size_t(t)];
      TrajectoryOutcome& o = outs[size_t(t)];
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
    const double ppo_s = seconds_since(tp);
    const std::vector<double> theta = cs.controller.probs();  // every rank updated alike: checked, not assumed
    ranks.check_same(ctx, std::string(reinterpret_cast<const char*>(theta.data()), theta.size() * sizeof(double)),
                     "policy after loop " + std::to_string(loop));
    double mean_reward = 0;
    for (const auto& tr : trajs) mean_reward += tr.reward / double(trajs.size());
    cs.loops_done = loop + 1;
    cs.last_reward = mean_reward;
    const std::vector<double> after = cs.controller.probs();
    json rewards = json::array(), accs = json::array();
    for (const auto& o : outs) rewards.push_back(o.traj.reward), accs.push_back(o.accs);
    const double loop_s = seconds_since(tl);
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
    if (ranks.writes()) {
      log->write(rec);
      crash_point("search.loop_logged");
      write_controller_state(rd.controller(), cs);
    }
    crash_point("search.loop_end");
    ++result.loops_run;
    obs.loop_done(rec);
    obs.stage_step(loop + 1, strprintf("R %.2f b %.2f H %.3f", mean_reward, st.baselines.empty() ? 0.0 : st.baselines[0],
                                 policy_entropy(after)));
  }
  obs.stage_end(strprintf("best R %.2f at loop %.0f", cs.controller.best_reward(), double(cs.controller.best_update())));
  result.stage2_seconds = seconds_since(t2);
  if (ranks.writes()) export_policies(rd, cfg, cs);
  crash_point("search.exported");
  result.best_reward = cs.controller.best_reward();
  result.best_loop = cs.controller.best_update();
  return result;
}

}  // namespace aws
