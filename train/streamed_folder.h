// A class folder too large to hold decoded (ImageNet): a BatchSource that decodes each step's images
// into one fixed buffer of `rows` rows (ImageRows::in_order), on all OpenMP threads:
//   training    RandomResizedCrop (scale 0.08–1, ratio 3/4–4/3) + horizontal flip drawn from the
//               fetch's epoch stream and the image's dataset index, decoded at a DCT scale and only the
//               crop's region (engine/data/random_resized_crop.h), bilinear to S×S;
//   evaluation  the shorter side to round(S·256/224) and the centre S×S (ImageNet's Resize(256) +
//               CenterCrop(224) at S = 224), Pillow-exact.
// Images are always RGB (gray files become three equal planes). The policy's pair-op, Cutout and the
// normalization then run in the usual pass (PlanOptions::cropped_upstream: no pad-crop, no flip), at
// S×S: the policy is applied after the crop (Fast AutoAugment applies it before).
// On cuda the buffer is copied to the device after decoding and the fetch waits for the copy (a pinned,
// overlapped ring is not written yet: decoding and compute alternate).
#pragma once
#include <memory>
#include <string>
#include <vector>

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
  bool crops() const override { return true; }

 private:
  const Dataset& d_;
  int64_t rows_;
  mutable std::vector<uint8_t> host_;  // rows × S × S × 3
  Tensor images_;
  void* owned_ = nullptr;
  Device dev_;
};

// The source for a dataset: StreamedFolder when it is streamed, else ResidentImages.
std::unique_ptr<BatchSource> make_batch_source(Ctx& ctx, const Dataset& d, int64_t rows);

// Per-channel mean and std of a streamed dataset from the evaluation crops of up to 512 of `indices`
// (spread evenly over them): what compute_normalization gives a resident one.
Normalization streamed_normalization(Ctx& ctx, const Dataset& d, const std::vector<int32_t>& indices);

}  // namespace aws
