// Stratified split and its file form (see split.h).
#include "engine/data/split.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "engine/io/checkpoint.h"

namespace aws {

namespace {

// The rng stage reserved for splits ("SPLT"), so no other stream of the same seed coincides.
constexpr uint32_t kSplitStage = 0x53504C54u;

std::vector<int32_t> blob_indices(const CheckpointData& c, const char* name, const std::string& path) {
  const Blob& b = c.blob(name, path);
  if (b.dtype != DType::i32 || b.shape.size() != 1)
    throw UserError(path + ": blob '" + name + "' must be a 1-d i32 list");
  std::vector<int32_t> v(size_t(b.shape[0]));
  if (!v.empty()) std::memcpy(v.data(), b.bytes.data(), b.bytes.size());
  return v;
}

}  // namespace

int64_t default_val_size(const std::string&) { return 10000; }

Split stratified_split(const Dataset& d, int64_t n_val, uint64_t seed) {
  if (n_val <= 0 || n_val >= d.n)
    throw UserError("n_val: " + std::to_string(n_val) + " validation images out of " + std::to_string(d.n) +
                    " in " + d.name + " (must be between 1 and " + std::to_string(d.n - 1) + ")");
  AWS_ASSERT(d.num_classes > 0 && int64_t(d.labels.size()) == d.n, "stratified_split: bad dataset");
  const int k = d.num_classes;
  std::vector<std::vector<int32_t>> by_class(static_cast<size_t>(k));
  for (int64_t i = 0; i < d.n; ++i) {
    int32_t y = d.labels[size_t(i)];
    AWS_ASSERT(y >= 0 && y < k, "stratified_split: label out of range");
    by_class[size_t(y)].push_back(int32_t(i));
  }
  // Largest-remainder apportionment of n_val over the classes; ties go to the lower class index.
  std::vector<int64_t> quota(static_cast<size_t>(k));
  std::vector<std::pair<int64_t, int>> rem;  // (remainder numerator, class)
  int64_t given = 0;
  for (int c = 0; c < k; ++c) {
    int64_t num = n_val * int64_t(by_class[size_t(c)].size());
    quota[size_t(c)] = num / d.n;
    given += quota[size_t(c)];
    rem.push_back({num % d.n, c});
  }
  std::stable_sort(rem.begin(), rem.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (int64_t r = 0; given < n_val; ++r, ++given) ++quota[size_t(rem[size_t(r)].second)];

  const uint64_t key = rng_stream(RngKey{seed, kSplitStage, 0, 0, 0, 0});
  Split s;
  for (int c = 0; c < k; ++c) {
    std::vector<int32_t>& idx = by_class[size_t(c)];
    // Fisher–Yates from the back; draw (c, i) is counter (i, c).
    for (size_t i = idx.size(); i > 1; --i) {
      uint32_t r = philox4x32(key, uint32_t(i - 1), uint32_t(c)).v[0];
      std::swap(idx[i - 1], idx[rand_below(r, uint32_t(i))]);
    }
    int64_t q = quota[size_t(c)];
    s.val.insert(s.val.end(), idx.begin(), idx.begin() + q);
    s.train.insert(s.train.end(), idx.begin() + q, idx.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.val.begin(), s.val.end());
  return s;
}

Split make_data_split(const Dataset& train, int64_t n_val, int64_t subset, uint64_t data_seed) {
  if (n_val < 0 || n_val >= train.n)
    throw UserError("--val: " + std::to_string(n_val) + " is not in [0, " + std::to_string(train.n) + ") for the " +
                    std::to_string(train.n) + " training images of " + train.name);
  Split s;
  if (n_val > 0) {
    s = stratified_split(train, n_val, data_seed);
  } else {
    s.train.resize(size_t(train.n));
    for (int64_t i = 0; i < train.n; ++i) s.train[size_t(i)] = int32_t(i);
  }
  if (subset < 0 || subset > int64_t(s.train.size()))
    throw UserError("--subset: " + std::to_string(subset) + " is not in [0, " + std::to_string(s.train.size()) +
                    "] (the training images left after --val " + std::to_string(n_val) + ")");
  if (subset == 0 || subset == int64_t(s.train.size())) return s;
  Dataset view;  // stratify the subset by the labels of D_tr
  view.name = train.name;
  view.n = int64_t(s.train.size());
  view.num_classes = train.num_classes;
  view.labels.resize(s.train.size());
  for (size_t i = 0; i < s.train.size(); ++i) view.labels[i] = train.labels[size_t(s.train[i])];
  const Split sub = stratified_split(view, subset, data_seed + 1);
  std::vector<int32_t> t;
  t.reserve(sub.val.size());
  for (int32_t k : sub.val) t.push_back(s.train[size_t(k)]);
  std::sort(t.begin(), t.end());
  s.train = std::move(t);
  return s;
}

void split_save(const std::string& path, const Split& s, const std::string& meta_json) {
  CheckpointData c;
  c.kind = "split";
  c.meta_json = meta_json;
  c.blobs.push_back(Blob::of("train", DType::i32, {int64_t(s.train.size())}, s.train.data()));
  c.blobs.push_back(Blob::of("val", DType::i32, {int64_t(s.val.size())}, s.val.data()));
  checkpoint_write(path, c);
}

Split split_load(const std::string& path, int64_t dataset_n) {
  CheckpointData c = checkpoint_read(path);
  if (c.kind != "split") throw UserError(path + ": kind '" + c.kind + "', expected 'split'");
  Split s{blob_indices(c, "train", path), blob_indices(c, "val", path)};
  std::vector<uint8_t> seen(size_t(std::max<int64_t>(dataset_n, 0)), 0);
  for (const auto* list : {&s.train, &s.val}) {
    for (int32_t i : *list) {
      if (i < 0 || i >= dataset_n)
        throw UserError(path + ": index " + std::to_string(i) + " outside the dataset's " +
                        std::to_string(dataset_n) + " images");
      if (seen[size_t(i)]++)
        throw UserError(path + ": index " + std::to_string(i) + " appears twice");
    }
  }
  return s;
}

}  // namespace aws
