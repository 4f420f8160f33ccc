// The per-step inputs of the training and evaluation loops, packed so that one copy uploads them
// (engine/graph/step_staging.h) into fixed device buffers that every step, eager or replayed from a
// CUDA graph, reads at run time. Layout in 4-byte words, for a model of `rows` rows:
//   [0]                  learning rate (f32)
//   [1, 1 + rows)        labels, i32: `copies` runs of the n images' labels (the eb copies of the
//                        batch sit in the model input one after another, so their labels do too)
//   [1 + rows, 1 + 2·rows) the n images' dataset indices, i32
//   [1 + 2·rows, 3 + 2·rows) the step's random key, u64 as two i32 words (low, high): what stochastic
//                        layers draw from (Model::forward), so a replayed graph draws anew each step
#pragma once
#include <cstdint>
#include <vector>

#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "engine/graph/step_staging.h"

namespace aws {

struct StepLayout {
  int64_t rows = 0;  // model rows: capacity for labels and for indices
  size_t words() const { return size_t(3 + 2 * rows); }
  size_t labels_at() const { return 1; }
  size_t indices_at() const { return size_t(1 + rows); }
  size_t key_at() const { return size_t(1 + 2 * rows); }
};

// Writes one step into dst (layout.words() words): lr; labels[c·n + b] = all_labels[idx[b]] for
// c < copies; indices[b] = idx[b]; the key. Throws Error naming the position if an index is outside
// [0, all_labels.size()) or n·copies exceeds the layout's rows.
void pack_step_inputs(const StepLayout& layout, float lr, uint64_t key, const int32_t* idx, int64_t n, int copies,
                      const std::vector<int32_t>& all_labels, uint32_t* dst);

// The random key of step `step` of the epoch whose augmentation key is `epoch`: a pure function, so
// a resumed or replayed run draws the same, and distinct from the augmentation's streams.
uint64_t step_random_key(const RngKey& epoch, int64_t step);

class StepInputs {
 public:
  StepInputs(Ctx& ctx, int64_t rows);
  // Packs one step (see pack_step_inputs) and uploads it on ctx's stream (nothing on the cpu).
  void stage(Ctx& ctx, float lr, uint64_t key, const int32_t* idx, int64_t n, int copies,
             const std::vector<int32_t>& all_labels);
  // Views of the device buffer (fixed addresses: a captured step keeps reading them).
  Tensor lr() const;
  Tensor labels(int64_t count) const;   // i32[count]
  Tensor indices(int64_t count) const;  // i32[count]
  Tensor key() const;                   // i32[2]: the step's random key (low word, high word)
  const StepLayout& layout() const { return layout_; }

 private:
  StepLayout layout_;
  StepStaging staging_;
  Device dev_;
};

}  // namespace aws
