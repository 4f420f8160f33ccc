// Training a model from scratch (or from a model file) under one policy and one recipe (train/recipe.h):
// what `aws train` runs and what `aws correlate` uses for its ground truth, so that the study's
// "full training" of a policy is exactly `aws train --recipe ... --policy ...` on the same split and
// seed. Random keys {seed, 0, 0, 0, epoch}; the test set is evaluated after every epoch, D_val (when
// the split has one) too.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "augment/policy.h"
#include "core/context.h"
#include "engine/data/dataset.h"
#include "engine/data/normalize.h"
#include "engine/data/split.h"
#include "engine/dist/communicator.h"
#include "models/model.h"
#include "train/recipe.h"

namespace aws {

struct TrainingSpec {
  std::string model = "resnet20";
  std::string math = "strict";  // resolved (models/precision.h)
  TrainRecipe recipe;
  Policy policy;
  uint64_t seed = 0;
  int eb = 1;                   // Enlarge Batch: augmented copies per image
  bool cuda_graphs = false;
  std::string init;             // a model file to start from ("" = the seed's initialization)
  bool zero_init_residual = false;  // ModelSpec::zero_init_residual (bottleneck ResNets)
  // Data-parallel ranks (null = one): the recipe's batch is the global batch, each rank trains
  // batch / size rows of it (train/trainer.h). cpu only for now.
  Communicator* comm = nullptr;
};

// What a front end sees of a training run. All optional.
struct TrainingObserver {
  virtual ~TrainingObserver() = default;
  virtual void message(const std::string& /*line*/) {}
  // Everything is checked and allocated (model, schedule, plan, resident data): the first moment a
  // front end may write files, so that bad input leaves nothing behind.
  virtual void ready() {}
  virtual void epoch_begin(int /*epoch*/, int64_t /*steps*/) {}
  virtual void step(int64_t /*s*/, double /*loss*/, double /*acc*/) {}
  // metrics.jsonl's record: epoch, loss, train_acc, test_acc, [val_acc], images_per_s, seconds, ...
  virtual void epoch_end(const nlohmann::json& /*record*/) {}
};

struct TrainingResult {
  double test_acc = 0;    // after the last epoch
  double best_test = 0;   // the best epoch's (optimistic: selected on the test set)
  double val_acc = -1;    // after the last epoch; -1 without D_val
  Normalization norm;     // D_tr's statistics (for the model file)
  std::unique_ptr<Model> model;
};

// UserError for a batch larger than D_tr. `split.train` is D_tr, `split.val` D_val (may be empty).
TrainingResult train_model(Ctx& ctx, const Dataset& train, const Dataset& test, const Split& split,
                           const TrainingSpec& spec, TrainingObserver& obs);

}  // namespace aws
