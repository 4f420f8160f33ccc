// See null_run.h. The counts a paper-mode trajectory would have seen are N i.i.d. draws from p_θ,
// N = the images the real trajectory counted (its log record), which is what the augmentation pass
// does per image; a sparse trajectory's are its M-pair draw, exactly as in the real run.
#include "search/null_run.h"

#include <filesystem>

#include "augment/policy.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "core/rng.h"
#include "engine/io/atomic_file.h"
#include "search/policy_stats.h"
#include "search/ppo.h"
#include "search/run_dir.h"
#include "search/search_mode.h"

namespace aws {

using nlohmann::json;

namespace {
constexpr uint32_t kNullPermuteStage = 0x4E554C50u;  // "NULP"
constexpr uint32_t kNullCountStage = 0x4E554C43u;    // "NULC"
}  // namespace

std::string null_dir(const std::string& run_dir, uint64_t null_seed) {
  return run_dir + "/null-" + std::to_string(null_seed);
}

json run_null(const std::string& run_dir, uint64_t null_seed) {
  const RunDir rd{run_dir};
  const SearchConfig cfg = read_search_config(rd.config());
  const std::vector<json> log = read_log(rd.log());
  if (log.empty()) throw UserError(rd.log() + ": no completed loop to build a null run from");
  const SearchMode mode = parse_search_mode(cfg.mode);
  const PlantedSignal plant = parse_plant(cfg.plant);

  // The real rewards of every (loop, slot), and the images each trajectory counted.
  std::vector<double> rewards;
  std::vector<int64_t> counted;
  for (const json& rec : log) {
    const json& r = rec.at("rewards");
    for (size_t t = 0; t < r.size(); ++t) {
      rewards.push_back(r[t].get<double>());
      if (!rec.contains("images_counted"))
        throw UserError(rd.log() + ": loop " + rec.at("loop").dump() +
                        " has no \"images_counted\" (a run of an older version: rerun it to build a null)");
      counted.push_back(rec.at("images_counted")[t].get<int64_t>());
    }
  }
  // Seeded Fisher–Yates permutation of the rewards.
  const uint64_t pkey = rng_stream(RngKey{null_seed, kNullPermuteStage, 0, 0, 0, 0});
  for (size_t i = rewards.size(); i > 1; --i)
    std::swap(rewards[i - 1], rewards[rand_below(philox4x32(pkey, uint32_t(i - 1), 0).v[0], uint32_t(i))]);

  Controller c(search_ppo_config(cfg));
  std::string lines;
  size_t next = 0;
  for (size_t loop = 0; loop < log.size(); ++loop) {
    const std::vector<double> probs = c.probs();
    const size_t k = log[loop].at("rewards").size();
    std::vector<Trajectory> trajs;
    for (size_t t = 0; t < k; ++t, ++next) {
      const TrajectoryDraw d = draw_trajectory(mode, probs, cfg.sparse_pairs, null_seed, uint32_t(loop), uint32_t(t));
      Trajectory tr;
      tr.slot = int(t);
      tr.reward = rewards[next];
      tr.counts = mode == SearchMode::sparse
                      ? d.draw
                      : draw_pair_counts(probs, counted[next],
                                         RngKey{null_seed, kNullCountStage, uint32_t(loop), uint32_t(t), 0, 0});
      trajs.push_back(std::move(tr));
    }
    const PpoUpdateStats st = c.update(trajs);
    const std::vector<double> after = c.probs();
    json rec{{"loop", loop}, {"kl", st.kl}, {"ppo_steps", st.steps}, {"entropy", policy_entropy(after)},
             {"kl_uniform", kl_to_uniform(after)}};
    if (plant.active()) rec["element_pair_mass"] = element_pair_mass(after, plant.element);
    lines += rec.dump() + "\n";
  }

  const std::string out = null_dir(run_dir, null_seed);
  std::filesystem::create_directories(out);
  atomic_write_file(out + "/log.jsonl", lines);
  const json source{{"null_of", cfg.digest()}, {"null_seed", null_seed}, {"loops", log.size()}};
  Policy best = searched_policy(c.best_probs());
  best.name = "null";
  best.source_json = json{{"null", source}, {"theta", "best"}, {"loop", c.best_update()}}.dump();
  write_policy_json(out + "/policy.json", best);
  Policy last = searched_policy(c.probs());
  last.name = "null";
  last.source_json = json{{"null", source}, {"theta", "last"}}.dump();
  write_policy_json(out + "/policy-last.json", last);
  const int element = plant.active() ? plant.element : -1;
  json summary{{"null_seed", null_seed}, {"loops", log.size()}, {"best", policy_figures(c.best_probs(), element)},
               {"last", policy_figures(c.probs(), element)}};
  atomic_write_file(out + "/summary.json", summary.dump(2) + "\n");
  return summary;
}

}  // namespace aws
