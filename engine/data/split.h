// Stratified, seeded train/validation splits (SPEC.md §5): Fashion-MNIST 50k/10k and CIFAR 40k/10k
// of the official training set. Each class gives the validation set a share proportional to its
// size (largest-remainder rounding), and which images go there is a Fisher–Yates shuffle drawn from
// the counter-based generator (core/rng.h), so the split is a pure function of
// (labels, n_val, seed) on every platform. The lists are stored in the run directory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

struct Split {
  std::vector<int32_t> train, val;  // indices into the dataset, each list ascending
};

// The usual validation size for a dataset name: 10,000 (both SPEC splits use 10k).
int64_t default_val_size(const std::string& dataset_name);

// Throws UserError naming "n_val" unless 0 < n_val < d.n.
Split stratified_split(const Dataset& d, int64_t n_val, uint64_t seed);

// The data of one experiment (SPEC §5), shared by the search, `aws train` and `aws correlate` so that
// "the same subset" is the same images everywhere: D_val of `n_val` images (0: none, D_tr = every
// image) drawn with `data_seed`, then, when 0 < subset < |D_tr|, a stratified subset of D_tr of
// `subset` images drawn with data_seed + 1 (the stream every earlier version of the search used).
// The data seed is separate from the training seed, so paired runs over training seeds see the same
// images. Lists ascending. UserError naming --val or --subset when a size does not fit.
Split make_data_split(const Dataset& train, int64_t n_val, int64_t subset, uint64_t data_seed);

// Saves and loads a split with the checkpoint container (kind "split", blobs "train" and "val",
// i32). `meta_json` is stored as is (e.g. dataset name and seed). split_load checks that the
// indices are in [0, dataset_n) and that no index appears twice; otherwise UserError naming the file.
void split_save(const std::string& path, const Split& s, const std::string& meta_json);
Split split_load(const std::string& path, int64_t dataset_n);

}  // namespace aws
