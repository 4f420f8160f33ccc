// The proxy correlation study (SPEC §10, the paper's Table 5): seeded sparse policies that span
// harmful and benign pair-ops are scored by full training (accuracy on the test set) and by each
// proxy (P_AF, P_NF, P_IT: fine-tune from the proxy's ω_share and evaluate on D_val; P_AV: evaluate
// D_val augmented by the policy, pair-op only); Pearson and Spearman correlations and an SVG scatter.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "augment/policy.h"

#include "search/policy_stats.h"  // pearson

namespace aws {

struct CorrelateConfig {
  std::string data = "fashion-mnist", data_dir, model = "resnet20", device = "cpu", out = "runs/correlate";
  std::string math = "auto";  // models/precision.h
  uint64_t seed = 0;
  int threads = 0;
  int policies = 16;
  int64_t subset = 2000, val = 1000, batch = 128;
  int stage1_epochs = 4, finetune_epochs = 1, full_epochs = 8;
  void validate() const;  // UserError naming the flag
};

// Policy n of N: 8 pairs, equally likely, of which round(8·n/(N−1)) have both elements from a
// harmful set (Invert, Solarize, Posterize 4, Equalize, the largest translations/rotation/shear)
// and the rest from a benign one (mild brightness/contrast/sharpness/posterize/rotate/shear).
Policy correlate_policy(int n, int count, uint64_t seed, double* harmful_share = nullptr);

// Pearson of the ranks (ties get their average rank).
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Runs the study; writes out/correlate.jsonl, out/correlation.json, out/correlation.html.
void run_correlate(const CorrelateConfig& cfg, const std::function<void(const std::string&)>& say);

}  // namespace aws
