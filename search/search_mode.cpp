// See search_mode.h.
#include "search/search_mode.h"

#include <cmath>
#include <cstdlib>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/policy.h"
#include "core/error.h"
#include "core/rng.h"
#include "search/ppo.h"

namespace aws {

namespace {
// The rng stage of sparse draws ("DRAW"), apart from the augmentation's stages 1 and 2.
constexpr uint32_t kDrawStage = 0x44524157u;
}  // namespace

PpoConfig search_ppo_config(const SearchConfig& cfg) {
  PpoConfig pc;
  pc.slots = cfg.k;
  pc.lr_max = cfg.policy_lr;
  pc.parameterization = parse_parameterization(cfg.controller);
  // Sparse trajectories of one update are compared with each other (search_mode.h).
  if (parse_search_mode(cfg.mode) == SearchMode::sparse) pc.baseline = BaselineKind::leave_one_out;
  return pc;
}

Policy searched_policy(const std::vector<double>& probs) {
  Policy p = builtin_policy("uniform");
  p.name = "search";
  p.probs = probs;
  return p;
}

SearchMode parse_search_mode(const std::string& s) {
  if (s == "paper") return SearchMode::paper;
  if (s == "sparse") return SearchMode::sparse;
  throw UserError("--mode " + s + ": unknown search mode (paper | sparse)");
}

const char* search_mode_name(SearchMode m) { return m == SearchMode::sparse ? "sparse" : "paper"; }

TrajectoryDraw draw_trajectory(SearchMode mode, const std::vector<double>& probs, int sparse_pairs, uint64_t seed,
                               uint32_t loop, uint32_t slot) {
  TrajectoryDraw d;
  if (mode == SearchMode::paper) {
    d.probs = probs;
    return d;
  }
  AWS_ASSERT(sparse_pairs > 0, "draw_trajectory: sparse mode needs M > 0 pairs");
  d.draw = draw_pair_counts(probs, sparse_pairs, RngKey{seed, kDrawStage, loop, slot, 0, 0});
  d.probs.assign(probs.size(), 0.0);
  for (size_t k = 0; k < probs.size(); ++k) d.probs[k] = double(d.draw[k]) / double(sparse_pairs);
  return d;
}

const std::vector<int64_t>& update_counts(const TrajectoryDraw& d, const std::vector<int64_t>& image_counts) {
  return d.draw.empty() ? image_counts : d.draw;
}

PlantedSignal parse_plant(const std::string& s) {
  PlantedSignal p;
  if (s.empty()) return p;
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    throw UserError("--plant " + s + ": expected ELEMENT:COST, e.g. Invert:1");
  p.element = element_index(s.substr(0, colon));  // UserError naming the element
  const std::string cost = s.substr(colon + 1);
  char* end = nullptr;
  p.cost = std::strtod(cost.c_str(), &end);
  if (end != cost.c_str() + cost.size() || !std::isfinite(p.cost) || std::fabs(p.cost) > 100)
    throw UserError("--plant " + s + ": the cost must be a finite number of accuracy points in [-100, 100]");
  return p;
}

double planted_penalty(const PlantedSignal& p, const std::vector<int64_t>& image_counts) {
  if (!p.active()) return 0;
  int64_t hit = 0, total = 0;
  for (int i = 0; i < kElements; ++i)
    for (int j = 0; j < kElements; ++j) {
      const int64_t c = image_counts[size_t(i * kElements + j)];
      total += c;
      if (i == p.element || j == p.element) hit += c;
    }
  return total > 0 ? p.cost * double(hit) / double(total) : 0.0;
}

}  // namespace aws
