// The training loop every command shares: `aws train` (from scratch), stage 1 (ω_share) and the
// stage-2 fine-tunes of the search. One epoch = shuffle (counter-based, keyed like the augmentation)
// → per batch: fused augmentation pass → forward → softmax-CE → backward → clip → optimizer step.
// Nothing is allocated after the first step; the images come from a BatchSource (train/batch_source.h:
// today the resident dataset, on the device for cuda).
// Each step's changing inputs (batch indices, labels, learning rate) are staged on the host and
// uploaded in one copy into fixed buffers (train/step_inputs.h) that the step reads at run time, so
// with TrainOptions::cuda_graphs the whole step (augment → forward → backward → update) is captured
// once per epoch as a CUDA graph and replayed (engine/graph/cuda_graph.h).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "augment/pipeline.h"
#include "augment/policy.h"
#include "engine/graph/cuda_graph.h"
#include "core/context.h"
#include "core/rng.h"
#include "engine/data/dataset.h"
#include "engine/dist/communicator.h"
#include "engine/ops/softmax_ce.h"
#include "engine/optim/clip.h"
#include "engine/optim/optimizer.h"
#include "engine/optim/schedule.h"
#include "models/model.h"
#include "train/batch_source.h"
#include "train/step_inputs.h"

namespace aws {

struct TrainOptions {
  float label_smoothing = 0.0f;
  float clip_norm = 0.0f;  // 0 = no clipping
  int eb = 1;              // Enlarge Batch: copies of each image per batch (SPEC §9); model batch = eb·batch
  // cuda only: step 0 of each epoch runs eagerly (it triggers every lazy setup: cuDNN algorithm
  // search, cdf upload, cuBLASLt plans), step 1 is captured as a CUDA graph (the executable is kept
  // across epochs and updated in place) and steps 1.. replay it. Ignored on the cpu and under
  // AWS_SYNC_DEBUG=1 (synchronizing inside a capture is illegal): those run every step eagerly.
  // Off by default until it has run on a GPU. One rank only (a user error with data-parallel ranks).
  bool cuda_graphs = false;
  // Data-parallel ranks (engine/dist/communicator.h; null = one rank): every rank runs the same epoch
  // permutation and takes its `batch` rows of each global batch of batch·size images; gradients are
  // averaged over the gradient arena in one call before clipping, BN running statistics averaged at
  // the end of each epoch, and the ranks' states compared by hash. On cuda the communicator must be
  // the nccl one (device buffers; never run on GPUs yet).
  Communicator* comm = nullptr;
};

struct EpochStats {
  double loss = 0;     // mean training loss
  double acc = 0;      // training accuracy (%) on augmented images
  int64_t images = 0;  // augmented images seen
  double seconds = 0;
  double augment_seconds = 0;  // host time of staging and of the eager steps' augmentation calls (on
                               // cuda their kernels run asynchronously and are not in it)
  int64_t graph_steps = 0;     // steps replayed from the CUDA graph
};

// Step i of n with the running loss and accuracy, for progress lines.
using StepCallback = std::function<void(int64_t step, int64_t steps, double loss, double acc)>;

class Trainer {
 public:
  // `batch` images per step (the model is planned for eb·batch). The model must not be committed yet:
  // the trainer declares the optimizer state (state arena) and the clipping scalars (workspace) and
  // then commits both arenas, so everything is laid out once.
  Trainer(Ctx& ctx, Model& model, Optimizer& opt, const TrainOptions& o, int64_t batch);
  ~Trainer();

  // One epoch over `indices` of `train` under `plan` (drop-last batches); `iter` is the global
  // iteration counter the LR schedule reads, advanced per step. pair_counts (kPairs, optional) adds
  // the pair-ops drawn. A non-finite loss or gradient norm throws UserError (see set_context): checked
  // after every step on the cpu (a 4-byte read, no sync), on cuda where the sums are read anyway
  // (progress reports, the epoch's end) so no sync per step is added.
  EpochStats train_epoch(const BatchSource& train, const std::vector<int32_t>& indices, const AugmentPlan& plan,
                         const RngKey& key, const LrSchedule& lr, int64_t& iter, int64_t* pair_counts = nullptr,
                         const StepCallback& cb = {});

  // Top-1 accuracy (%) on `indices` of `data` (all images when empty), eval-mode BN, no augmentation.
  double evaluate(const BatchSource& data, const std::vector<int32_t>& indices, const Normalization& norm);

  // P_AV: accuracy on images augmented by `plan` (pair-op only), eval-mode BN. pair_counts (kPairs,
  // optional) adds the pair-ops drawn (counted on the device, read back once).
  double evaluate_augmented(const BatchSource& data, const std::vector<int32_t>& indices, const AugmentPlan& plan,
                            const RngKey& key, int64_t* pair_counts = nullptr);

  int64_t batch() const { return batch_; }
  // What a divergence message names first ("stage 1", "stage 2 loop 3 trajectory 0"; empty for
  // `aws train`): train_epoch throws UserError "<context> epoch E step S: training diverged: ..."
  // when the loss or the gradient norm is not finite, before anything is written from the weights.
  void set_context(std::string context) { context_ = std::move(context); }
  // The step graph (captures and updates so far; empty when graphs never ran).
  const CudaGraph& graph() const { return graph_; }

 private:
  void zero_pair_counts();
  void sync_ranks(uint32_t epoch, double& loss_sum, int64_t& correct_sum, int64_t& images);
  void add_pair_counts(int64_t* out);  // reads the device counters back (one copy and sync)

  Ctx& ctx_;
  Model& model_;
  Optimizer& opt_;
  TrainOptions opt_cfg_;
  int64_t batch_;
  std::unique_ptr<GradClip> clip_;
  Tensor loss_sum_, correct_sum_;  // per-epoch accumulators on the device: no host sync per step
  Tensor pair_dev_;                // i32[kPairs] on the device: pair-ops drawn, read back per epoch
  StepInputs inputs_;
  CudaGraph graph_;
  // cuda: the augmentation's device copies, shared by every plan this trainer runs (a new plan per
  // trajectory allocates nothing); it lives as long as graph_, whose replays read its buffers.
  std::shared_ptr<AugmentDeviceCache> aug_cache_;
  std::vector<int32_t> order_, gathered_, pair_host_;
  std::string context_;
};

// Top-1 accuracy (%) of a committed model in eval mode on `indices` of `data` (all when empty), no
// augmentation; for one-off evaluations (`aws eval`): it allocates its index scratch per call.
double evaluate_model(Ctx& ctx, Model& model, const BatchSource& data, const std::vector<int32_t>& indices,
                      const Normalization& norm);

// The permutation of 0..n-1 for one epoch: a Fisher–Yates shuffle from the counter-based generator
// keyed by `key` (so a resumed run replays it). Writes into `out` (resized to n).
void epoch_permutation(const RngKey& key, int64_t n, std::vector<int32_t>& out);

}  // namespace aws
