// Packing and staging of the loops' per-step inputs (layout in step_inputs.h).
#include "train/step_inputs.h"

#include <cstring>
#include <string>

namespace aws {

void pack_step_inputs(const StepLayout& layout, float lr, uint64_t key, const int32_t* idx, int64_t n, int copies,
                      const std::vector<int32_t>& all_labels, uint32_t* dst) {
  if (n < 0 || copies < 1 || n * copies > layout.rows)
    throw Error("step inputs: " + std::to_string(n) + " images x " + std::to_string(copies) +
                " copies do not fit a model of " + std::to_string(layout.rows) + " rows");
  std::memcpy(&dst[0], &lr, 4);
  auto* labels = reinterpret_cast<int32_t*>(dst + layout.labels_at());
  auto* indices = reinterpret_cast<int32_t*>(dst + layout.indices_at());
  const int64_t limit = int64_t(all_labels.size());
  for (int64_t b = 0; b < n; ++b) {
    if (idx[b] < 0 || idx[b] >= limit)
      throw Error("step inputs: index " + std::to_string(b) + " = " + std::to_string(idx[b]) + " outside [0, " +
                  std::to_string(limit) + ")");
    indices[b] = idx[b];
    labels[b] = all_labels[size_t(idx[b])];
  }
  for (int c = 1; c < copies; ++c) std::memcpy(labels + c * n, labels, size_t(n) * 4);
  dst[layout.key_at()] = uint32_t(key);
  dst[layout.key_at() + 1] = uint32_t(key >> 32);
}

uint64_t step_random_key(const RngKey& epoch, int64_t step) {
  return splitmix64(splitmix64(rng_stream(epoch) ^ 0x5354455020ull) ^ uint64_t(step));  // "STEP "
}

StepInputs::StepInputs(Ctx& ctx, int64_t rows)
    : layout_{rows}, staging_(ctx, layout_.words() * 4), dev_(ctx.device) {}

void StepInputs::stage(Ctx& ctx, float lr, uint64_t key, const int32_t* idx, int64_t n, int copies,
                       const std::vector<int32_t>& all_labels) {
  pack_step_inputs(layout_, lr, key, idx, n, copies, all_labels, static_cast<uint32_t*>(staging_.host()));
  staging_.upload(ctx);
}

Tensor StepInputs::lr() const { return Tensor(staging_.device(), Shape{1}, DType::f32, dev_); }

Tensor StepInputs::labels(int64_t count) const {
  AWS_ASSERT(count <= layout_.rows, "step inputs: more labels than rows");
  return Tensor(static_cast<uint32_t*>(staging_.device()) + layout_.labels_at(), Shape{count}, DType::i32, dev_);
}

Tensor StepInputs::indices(int64_t count) const {
  AWS_ASSERT(count <= layout_.rows, "step inputs: more indices than rows");
  return Tensor(static_cast<uint32_t*>(staging_.device()) + layout_.indices_at(), Shape{count}, DType::i32, dev_);
}

Tensor StepInputs::key() const {
  return Tensor(static_cast<uint32_t*>(staging_.device()) + layout_.key_at(), Shape{2}, DType::i32, dev_);
}

}  // namespace aws
