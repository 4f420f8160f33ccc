// An image classification dataset held in memory as uint8 NHWC, with int32 labels.
// Loaders: idx.h (Fashion-MNIST IDX, gzip), cifar.h (CIFAR-10/100 binary batches).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aws {

struct Dataset {
  std::string name;               // e.g. "fashion-mnist/train"
  int64_t n = 0;                  // number of images
  int h = 0, w = 0, c = 0;        // image size and channels (1 = grayscale, 3 = RGB)
  int num_classes = 0;
  std::vector<uint8_t> images;    // n·h·w·c bytes, NHWC (empty when streamed)
  std::vector<int32_t> labels;    // n labels in [0, num_classes)
  // Non-empty: the pixels are not resident but decoded per batch from these files, one per label
  // (a class folder listed once: train/streamed_folder.h); h×w is the crop size.
  std::vector<std::string> stream_files;
  // Streamed: the folder's fingerprint (relative names, sizes, times: engine/data/folder_cache.h),
  // what stands for the pixels in a run's data fingerprint.
  std::string stream_fingerprint;

  bool streamed() const { return !stream_files.empty(); }

  size_t image_bytes() const { return size_t(h) * w * c; }
  const uint8_t* image(int64_t i) const { return images.data() + size_t(i) * image_bytes(); }
};

// Per-channel mean and standard deviation of pixel/255 over a subset of images (the training split).
struct Normalization {
  float mean[3] = {0, 0, 0};
  float std[3] = {1, 1, 1};
};

}  // namespace aws
