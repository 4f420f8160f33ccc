// The streamed folder source and its decode ring (see streamed_folder.h).
#include "train/streamed_folder.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

#include "core/error.h"
#include "engine/data/image_resize.h"
#include "engine/data/normalize.h"
#include "engine/data/random_resized_crop.h"
#include "engine/io/image_io.h"

namespace aws {

namespace {

bool same_fetch(const FetchKey& a, const FetchKey& b) {
  const RngKey &x = a.key, &y = b.key;
  return a.train == b.train && x.seed == y.seed && x.stage == y.stage && x.loop == y.loop &&
         x.trajectory == y.trajectory && x.epoch == y.epoch && x.copy == y.copy;
}

}  // namespace

StreamedFolder::StreamedFolder(Ctx& ctx, const Dataset& d, int64_t rows)
    : d_(d), rows_(rows), threads_(ctx.threads > 0 ? ctx.threads : omp_get_max_threads()),
      row_bytes_(size_t(d.h) * d.w * 3), staging_(ctx, size_t(rows) * row_bytes_) {
  AWS_ASSERT(d.streamed() && int64_t(d.stream_files.size()) == d.n, "StreamedFolder: not a streamed dataset");
  if (!ctx.is_cuda()) spare_.resize(staging_.bytes());
  ahead_.idx.reserve(size_t(rows));
  images_ = Tensor(staging_.device(), Shape{rows, d.h, d.w, 3}, DType::u8, ctx.device);
}

StreamedFolder::~StreamedFolder() { drop_ahead(); }  // the worker writes into buffers freed after this

size_t StreamedFolder::ring_bytes() const {
  return staging_.bytes() * (staging_.device_kind() == Device::cuda ? 3 : 2);
}

void StreamedFolder::decode(uint8_t* dst, const int32_t* idx, int64_t n, const FetchKey& fk) const {
  const int size = d_.h;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
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
      std::copy(img.pixels.begin(), img.pixels.end(), dst + size_t(b) * row_bytes_);
    } catch (...) {
      errors[size_t(b)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

void StreamedFolder::drop_ahead() const {
  if (!ahead_.done.valid()) return;
  ahead_.done.wait();  // a guess nobody asked for: its failure is not this fetch's either
  ahead_.done = {};
}

bool StreamedFolder::take_ahead(const int32_t* idx, int64_t n, const FetchKey& fk) const {
  if (!ahead_.done.valid()) return false;
  if (int64_t(ahead_.idx.size()) == n && std::equal(idx, idx + n, ahead_.idx.begin()) && same_fetch(fk, ahead_.fk)) {
    ahead_.done.get();  // rethrows the decode's failure: it is this fetch's
    return true;
  }
  drop_ahead();
  return false;
}

void StreamedFolder::check_request(const char* op, const int32_t* idx, int64_t n) const {
  if (n > rows_) throw Error(std::string("StreamedFolder::") + op + ": more images than rows");
  for (int64_t b = 0; b < n; ++b)
    if (idx[b] < 0 || idx[b] >= d_.n) throw Error(std::string("StreamedFolder::") + op + ": index outside the dataset");
}

void StreamedFolder::prefetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const {
  check_request("prefetch", idx, n);
  drop_ahead();  // at most one decode in flight
  ahead_.idx.assign(idx, idx + n);
  ahead_.fk = fk;
  // cuda: the pinned buffer of the next upload (waiting only for the copy that last read it); cpu:
  // the spare buffer, since the pass still reads the staging one.
  ahead_.dst = static_cast<uint8_t*>(ctx.is_cuda() ? staging_.host() : spare_.data());
  ahead_.done = std::async(std::launch::async, [this] {
    decode(ahead_.dst, ahead_.idx.data(), int64_t(ahead_.idx.size()), ahead_.fk);
  });
}

BatchImages StreamedFolder::fetch(Ctx& ctx, const int32_t* idx, int64_t n, const FetchKey& fk) const {
  check_request("fetch", idx, n);
  uint8_t* host = static_cast<uint8_t*>(staging_.host());  // cpu: the buffer the pass reads
  if (take_ahead(idx, n, fk)) {
    if (ahead_.dst != host) std::memcpy(host, ahead_.dst, size_t(n) * row_bytes_);
  } else {
    decode(host, idx, n, fk);
  }
  staging_.upload(ctx);  // cuda: queued on the step's stream, after the step that last read the device rows
  return {&images_, ImageRows::in_order};
}

std::unique_ptr<BatchSource> make_batch_source(Ctx& ctx, const Dataset& d, int64_t rows) {
  if (d.streamed()) return std::make_unique<StreamedFolder>(ctx, d, rows);
  return std::make_unique<ResidentImages>(ctx, d);
}

Normalization training_normalization(const Dataset& d, const std::vector<int32_t>& indices, int threads) {
  if (!d.streamed()) return compute_normalization(d, indices);
  if (indices.empty()) throw UserError(d.name + ": no training images for the normalization statistics");
  const int64_t k = std::min<int64_t>(512, int64_t(indices.size())), batch = 64;
  std::vector<int32_t> pick(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) pick[size_t(j)] = indices[size_t(j * int64_t(indices.size()) / k)];
  Ctx host(Device::cpu, threads);
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
