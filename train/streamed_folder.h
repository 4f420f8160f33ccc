// A class folder too large to hold decoded (ImageNet): a BatchSource that decodes each step's images
// into one fixed buffer of `rows` rows (ImageRows::in_order), on the context's cpu threads:
//   training    RandomResizedCrop (scale 0.08–1, ratio 3/4–4/3) + horizontal flip drawn from the
//               fetch's epoch stream and the image's dataset index, decoded at a DCT scale and only the
//               crop's region (engine/data/random_resized_crop.h), bilinear to S×S;
//   evaluation  the shorter side to round(S·256/224) and the centre S×S (ImageNet's Resize(256) +
//               CenterCrop(224) at S = 224), Pillow-exact.
// Images are always RGB (gray files become three equal planes). The policy's pair-op, Cutout and the
// normalization then run in the usual pass (PlanOptions::cropped_upstream: no pad-crop, no flip), at
// S×S: the policy is applied after the crop (Fast AutoAugment applies it before).
//
// The decode ring: prefetch() decodes the next batch on a worker thread while the caller computes the
// current one, into the staging buffer the step does not read: on cuda the two pinned buffers of a
// StepStaging (engine/graph/step_staging.h) used in turn, the copy to the device queued on the step's
// stream and guarded by an event (so the host never waits for compute, only for the copy two batches
// back); on the cpu a second host buffer, copied into the one the pass reads when the fetch comes.
// Memory: 3 buffers of rows·S·S·3 bytes (cuda: 2 pinned + 1 device; cpu: 2 host), plus each decoding
// thread's file and decoded image (bounded by the file and pixel caps of engine/io/image_io.h).
#pragma once
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph/step_staging.h"
#include "train/batch_source.h"

namespace aws {

class StreamedFolder final : public BatchSource {
 public:
  // d: a streamed dataset (engine/data/image_folder.h's streamed_folder_dataset, which lists the
  // folder once); rows: the most images one fetch asks for.
  StreamedFolder(Ctx& ctx, const Dataset& d, int64_t rows);
  ~StreamedFolder() override;
  StreamedFolder(const StreamedFolder&) = delete;
  StreamedFolder& operator=(const StreamedFolder&) = delete;
  const Dataset& dataset() const override { return d_; }
  BatchImages fetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const override;
  void prefetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const override;
  bool crops() const override { return true; }
  size_t ring_bytes() const override;  // the ring's image buffers, host and device

 private:
  // Decodes images idx[0..n) into dst (n rows), rethrowing the first failure in batch order as it was
  // thrown (a bad file: UserError naming it).
  void decode(uint8_t* dst, const int32_t* idx, int64_t n, const FetchKey& fk) const;
  // The decode prefetch() started: what it was asked for, where it writes, and its completion.
  struct Ahead {
    std::vector<int32_t> idx;
    FetchKey fk;
    uint8_t* dst = nullptr;
    std::future<void> done;
  };
  // Waits for the pending decode; true when it decoded exactly (idx, n, fk), whose failure it rethrows.
  bool take_ahead(const int32_t* idx, int64_t n, const FetchKey& fk) const;
  void drop_ahead() const;  // waits for the pending decode, if any, and forgets it
  // Error (a caller's bug, not bad input) for more than rows_ images or an index outside the dataset.
  void check_request(const char* op, const int32_t* idx, int64_t n) const;

  const Dataset& d_;
  int64_t rows_;
  int threads_;
  size_t row_bytes_;
  mutable StepStaging staging_;        // cuda: pinned pair + device buffer; cpu: the buffer the pass reads
  mutable std::vector<uint8_t> spare_;  // cpu: where a prefetch decodes
  mutable Ahead ahead_;
  Tensor images_;
};

// The source for a dataset: StreamedFolder when it is streamed, else ResidentImages.
std::unique_ptr<BatchSource> make_batch_source(Ctx& ctx, const Dataset& d, int64_t rows);

// Per-channel mean and std of the training images `indices`: compute_normalization for a resident
// dataset; for a streamed one, from the evaluation crops of up to 512 of them (spread evenly over
// them), decoded on `threads` cpu threads (0: all).
Normalization training_normalization(const Dataset& d, const std::vector<int32_t>& indices, int threads);

}  // namespace aws
