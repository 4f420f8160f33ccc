// The proxy correlation study (SPEC §10, the paper's Table 5), run on the search's own configuration:
// the stage 1 and the trajectories of `aws search` (search/search_session.h) give each proxy's reward
// for a policy exactly as a search would compute it, and `aws train`'s training (train/
// final_training.h) under recipe `final` gives the ground truth (test accuracy). The policies are
// sampled as a search meets them: softmax of θ ~ N(0, s²) over the 1296 pairs for s = 0.5, 1, 2, and
// uniform mass on a random set of 8, 32 or 128 distinct pairs (policy n has kind n mod 6). The first
// `second_seed` policies are trained a second time from another seed: the two ground truths correlate
// r, and a proxy's correlation with one training is bounded by sqrt(r) (the noise ceiling). Pearson
// and Kendall's τ-b with bootstrap 95% intervals (resampling policies), and a paired bootstrap between
// every two proxies (six comparisons, not corrected for multiplicity).
// Out folder: af/, nf/, it/ (search run directories: stage 1 of each proxy, resumable), policies/
// (policy-N.json, for `aws train --policy`),
// correlate.jsonl (one record per finished policy; a rerun continues after the last one),
// correlation.json, correlation.html.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "augment/policy.h"
#include "search/search_config.h"

namespace aws {

struct CorrelateConfig {
  SearchConfig search;       // data, model, split, stage 1, fine-tune, seed, device, threads of the proxies
  std::string out = "runs/correlate";
  int policies = 24;         // >= 6
  int truth_epochs = 40;     // ground truth: recipe `final` at this many epochs, batch = search.batch
  int second_seed = 8;       // policies 0 .. second_seed-1 get a second ground-truth seed (seed + 1)
  int bootstrap = 2000;      // resamples for the intervals
  void validate() const;     // UserError naming the flag
  std::string digest() const;  // ties correlate.jsonl's records to this configuration
};

// Policy n (kind n mod 6, see above), drawn from stream {seed, 7, n}. `kind` gets a short label.
Policy correlate_policy(int n, uint64_t seed, std::string* kind = nullptr);

// Kendall's τ-b (ties corrected); 0 where undefined.
double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

// Percentile bootstrap over the n pairs (x[i], y[i]): {2.5 %, 97.5 %} of stat(x*, y*) over `resamples`
// resamples drawn from `seed`.
using PairStat = std::function<double(const std::vector<double>&, const std::vector<double>&)>;
std::pair<double, double> bootstrap_ci(const std::vector<double>& x, const std::vector<double>& y, const PairStat& stat,
                                       int resamples, uint64_t seed);

// Correlation summary of proxy scores against the truth (see above); `truth2` holds the second
// seed's truth for the first truth2.size() policies.
nlohmann::json correlation_summary(const std::vector<std::pair<std::string, std::vector<double>>>& proxies,
                                   const std::vector<double>& truth, const std::vector<double>& truth2, int resamples,
                                   uint64_t seed);

// Runs (or continues) the study.
void run_correlate(const CorrelateConfig& cfg, const std::function<void(const std::string&)>& say);

}  // namespace aws
