// The streamed folder source (see streamed_folder.h).
#include "train/streamed_folder.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "core/error.h"
#include "engine/data/image_resize.h"
#include "engine/data/normalize.h"
#include "engine/data/random_resized_crop.h"
#include "engine/io/image_io.h"
#include "engine/runtime/memory.h"

namespace aws {

StreamedFolder::StreamedFolder(Ctx& ctx, const Dataset& d, int64_t rows)
    : d_(d), rows_(rows), dev_(ctx.device) {
  AWS_ASSERT(d.streamed() && int64_t(d.stream_files.size()) == d.n, "StreamedFolder: not a streamed dataset");
  host_.resize(size_t(rows) * d.h * d.w * 3);
  const Shape s{rows, d.h, d.w, 3};
  if (ctx.is_cuda()) {
    owned_ = mem_alloc(Device::cuda, host_.size());
    images_ = Tensor(owned_, s, DType::u8, Device::cuda);
  } else {
    images_ = Tensor(host_.data(), s, DType::u8, Device::cpu);
  }
}

StreamedFolder::~StreamedFolder() { mem_free(dev_, owned_); }

BatchImages StreamedFolder::fetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const {
  if (n > rows_) throw Error("StreamedFolder::fetch: more images than rows");
  const int size = d_.h;
  const size_t row = size_t(size) * size * 3;
  for (int64_t b = 0; b < n; ++b)
    if (idx[b] < 0 || idx[b] >= d_.n) throw Error("StreamedFolder::fetch: index outside the dataset");
  // The first failure in batch order is rethrown as it was thrown (a bad file: UserError naming it).
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n));
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t b = 0; b < n; ++b) {
    const int32_t i = idx[b];
    const std::string& path = d_.stream_files[size_t(i)];
    try {
      const std::vector<uint8_t> bytes = read_image_file(path);
      const ImageHeader hd = read_image_header(bytes.data(), bytes.size(), path);
      Image img;
      if (fk.train) {
        const CropBox box = random_resized_crop_box(hd.w, hd.h, fk.key, i);
        img = decode_crop(bytes.data(), bytes.size(), path, hd, box, size, random_flip(fk.key, i));
      } else {
        // ImageNet's Resize(256) + CenterCrop(224), scaled to S.
        img = resize_center_crop(decode_image(bytes.data(), bytes.size(), path), int(std::lround(size * 256.0 / 224.0)),
                                 size);
      }
      img = to_rgb(std::move(img));
      std::copy(img.pixels.begin(), img.pixels.end(), host_.begin() + ptrdiff_t(size_t(b) * row));
    } catch (...) {
      errors[size_t(b)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  if (owned_) {
    mem_copy(ctx, owned_, host_.data(), size_t(n) * row, CopyKind::host_to_dev);
    ctx.sync();  // the next fetch rewrites host_
  }
  return {&images_, ImageRows::in_order};
}

std::unique_ptr<BatchSource> make_batch_source(Ctx& ctx, const Dataset& d, int64_t rows) {
  if (d.streamed()) return std::make_unique<StreamedFolder>(ctx, d, rows);
  return std::make_unique<ResidentImages>(ctx, d);
}

Normalization streamed_normalization(Ctx& ctx, const Dataset& d, const std::vector<int32_t>& indices) {
  if (indices.empty()) throw UserError(d.name + ": no training images for the normalization statistics");
  const int64_t k = std::min<int64_t>(512, int64_t(indices.size())), batch = 64;
  std::vector<int32_t> pick(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) pick[size_t(j)] = indices[size_t(j * int64_t(indices.size()) / k)];
  Ctx host(Device::cpu, ctx.threads);
  StreamedFolder src(host, d, batch);
  Dataset sample;
  sample.n = k, sample.h = d.h, sample.w = d.w, sample.c = 3, sample.num_classes = d.num_classes;
  sample.images.resize(size_t(k) * d.h * d.w * 3);
  for (int64_t at = 0; at < k; at += batch) {
    const int64_t n = std::min(batch, k - at);
    const BatchImages b = src.fetch(host, pick.data() + at, n, FetchKey{});
    const uint8_t* px = static_cast<const uint8_t*>(b.images->data);
    std::copy_n(px, size_t(n) * d.h * d.w * 3, sample.images.begin() + ptrdiff_t(size_t(at) * d.h * d.w * 3));
  }
  std::vector<int32_t> all(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) all[size_t(j)] = int32_t(j);
  return compute_normalization(sample, all);
}

}  // namespace aws
