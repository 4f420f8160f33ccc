// The per-step inputs of the training and evaluation loops, packed so that one copy uploads them
// (engine/graph/step_staging.h) into fixed device buffers that every step, eager or replayed from a
// CUDA graph, reads at run time. Layout in 4-byte words, for a model of `rows` rows:
//   [0]                  learning rate (f32)
//   [1, 1 + rows)        labels, i32: `copies` runs of the n images' labels (the eb copies of the
//                        batch sit in the model input one after another, so their labels do too)
//   [1 + rows, 1 + 2·rows) the n images' dataset indices, i32
#pragma once
#include <cstdint>
#include <vector>

#include "core/context.h"
#include "core/tensor.h"
#include "engine/graph/step_staging.h"

namespace aws {

struct StepLayout {
  int64_t rows = 0;  // model rows: capacity for labels and for indices
  size_t words() const { return size_t(1 + 2 * rows); }
  size_t labels_at() const { return 1; }
  size_t indices_at() const { return size_t(1 + rows); }
};

// Writes one step into dst (layout.words() words): lr; labels[c·n + b] = all_labels[idx[b]] for
// c < copies; indices[b] = idx[b]. Throws Error naming the position if an index is outside
// [0, all_labels.size()) or n·copies exceeds the layout's rows.
void pack_step_inputs(const StepLayout& layout, float lr, const int32_t* idx, int64_t n, int copies,
                      const std::vector<int32_t>& all_labels, uint32_t* dst);

class StepInputs {
 public:
  StepInputs(Ctx& ctx, int64_t rows);
  // Packs one step (see pack_step_inputs) and uploads it on ctx's stream (nothing on the cpu).
  void stage(Ctx& ctx, float lr, const int32_t* idx, int64_t n, int copies, const std::vector<int32_t>& all_labels);
  // Views of the device buffer (fixed addresses: a captured step keeps reading them).
  Tensor lr() const;
  Tensor labels(int64_t count) const;   // i32[count]
  Tensor indices(int64_t count) const;  // i32[count]
  const StepLayout& layout() const { return layout_; }

 private:
  StepLayout layout_;
  StepStaging staging_;
  Device dev_;
};

}  // namespace aws
