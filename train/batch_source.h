// Where a step's images come from. The training and evaluation loops ask a BatchSource for the images
// of the step's dataset indices and run the augmentation pass on what it hands back:
//   - ResidentImages (here): the whole dataset where the model's device can read it, a view of the host
//     bytes on the cpu, one device copy on cuda; the pass reads image indices[b] at row indices[b].
//   - StreamedFolder (train/streamed_folder.h: image folders, ImageNet) decodes the step's images into
//     one fixed buffer of as many rows as the model has (evaluation asks for up to model.batch = eb·batch
//     images at once), the next step's while this one computes (prefetch), and returns it with
//     ImageRows::in_order; the pass then reads image b at row b while still keying its draws by the
//     dataset index. Its training crop is drawn from the
//     FetchKey's epoch stream, so it is a pure function of (seed, epoch, image) as the pass's draws are.
// A source must hand back the same buffer at every step (a captured CUDA graph keeps its address) and
// fill it outside any capture, as the step inputs are (train/step_inputs.h).
#pragma once
#include <cstdint>

#include "augment/pipeline.h"
#include "core/context.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "engine/data/dataset.h"

namespace aws {

struct BatchImages {
  const Tensor* images = nullptr;          // u8 [rows,H,W,C] on the model's device
  ImageRows rows = ImageRows::by_index;    // where image b sits in it
};

// What a fetch is for: training under an epoch's stream (a streamed source draws its crops from it)
// or evaluation (a fixed crop).
struct FetchKey {
  bool train = false;
  RngKey key{};
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Labels, sizes and count of the dataset (a streamed source's has no pixels).
  virtual const Dataset& dataset() const = 0;
  // The images of dataset indices idx[0..n) (host), ready for the pass on ctx's stream.
  virtual BatchImages fetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const = 0;
  // A hint: the next fetch will very likely ask for idx[0..n) under fk. A source that decodes (a
  // streamed folder) starts on them now, while the caller computes; the idx array may be reused as
  // soon as this returns. A fetch for anything else simply waits for the guess and discards it.
  virtual void prefetch(Ctx&, const int32_t*, int64_t, const FetchKey&) const {}
  // True when the source crops and flips its images itself (the pass then does neither).
  virtual bool crops() const { return false; }
  // Bytes of the buffers a decoding source keeps for its fetches (0 for a resident one).
  virtual size_t ring_bytes() const { return 0; }
};

class ResidentImages final : public BatchSource {
 public:
  ResidentImages(Ctx& ctx, const Dataset& d);
  ~ResidentImages() override;
  ResidentImages(const ResidentImages&) = delete;
  ResidentImages& operator=(const ResidentImages&) = delete;
  const Tensor& images() const { return images_; }
  const Dataset& dataset() const override { return d_; }
  BatchImages fetch(Ctx&, const int32_t*, int64_t, const FetchKey&) const override {
    return {&images_, ImageRows::by_index};
  }

 private:
  const Dataset& d_;
  Tensor images_;
  void* owned_ = nullptr;
  Device dev_;
};

}  // namespace aws
