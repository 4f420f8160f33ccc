// awsaug: the engine's Pillow-exact per-image augmentation pass for Python (PyTorch, NumPy, any DLPack
// producer). Augmenter(policy, seed, mean, std).aug(images, indices, epoch) augments a uint8 NHWC batch
// image by image, each image's draws keyed by (seed, epoch, its dataset index) exactly as `aws train`
// keys them, and returns the normalized float batch (or the augmented uint8 pixels) through DLPack
// without a copy. cpu or CUDA tensors; docs/PYTHON.md.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <omp.h>

#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "core/context.h"
#include "core/error.h"
#include "engine/runtime/memory.h"
#include "engine/runtime/stream.h"
#include "python/dlpack_bridge.h"

namespace aws::py {

namespace {

// A DLPack stream number as a cudaStream_t: None and 1 are the legacy default stream (0), 2 the
// per-thread default stream (cudaStreamPerThread), anything else the handle itself.
void* stream_handle(intptr_t s) { return s == 1 ? nullptr : reinterpret_cast<void*>(s); }

// A `stream=` argument as DLPack's number: None → 1 (the legacy default stream); 0, which
// torch.cuda.default_stream().cuda_stream gives, is that stream too (DLPack forbids 0 itself).
intptr_t dlpack_stream(pyb::handle stream) {
  if (stream.is_none()) return 1;
  if (!pyb::isinstance<pyb::int_>(stream))
    throw pyb::type_error("awsaug: stream must be a raw CUDA stream handle (an int such as "
                          "torch.cuda.current_stream().cuda_stream), got " +
                          std::string(pyb::str(pyb::type::handle_of(stream).attr("__name__"))));
  const long long s = stream.cast<long long>();
  if (s < 0) throw pyb::value_error("awsaug: stream " + std::to_string(s) + " is not a stream handle");
  return s == 0 ? 1 : intptr_t(s);
}

// Refuses a thread count OpenMP would choke on.
int checked_threads(int threads) {
  if (threads < 0 || threads > 1024)
    throw pyb::value_error("awsaug: threads = " + std::to_string(threads) + " is outside [0, 1024] (0: all cores)");
  return threads;
}

// A context without its process-wide side effect: Ctx sets OpenMP's thread count for the engine's own
// commands, but in a Python process that count belongs to the user (torch shares the runtime).
std::unique_ptr<Ctx> make_ctx(DeviceSpec dev, int threads) {
  const int before = omp_get_max_threads();
  auto ctx = std::make_unique<Ctx>(dev, threads);
  omp_set_num_threads(before);
  return ctx;
}

// The batch aug() returns: our buffer, readable by torch.from_dlpack / numpy.from_dlpack (each call of
// __dlpack__ hands out one more reference to the same memory). On CUDA the pass ran on `ran_on`; a
// consumer on another stream gets the capsule only after that stream has finished (a host wait).
struct Batch {
  ExportView view;
  std::string layout;
  void* ran_on = nullptr;
  pyb::capsule dlpack(pyb::object stream) const {
    if (view.buffer->device() == Device::cuda) {
      const void* theirs = stream_handle(dlpack_stream(stream));
      if (theirs != ran_on) stream_synchronize(ran_on);
    }
    return to_capsule(view);
  }
  std::pair<int, int> dlpack_device() const {
    if (view.buffer->device() == Device::cuda) return {kDLCUDA, view.gpu};
    return {kDLCPU, 0};
  }
};

Normalization normalization_of(const std::optional<std::vector<float>>& mean,
                               const std::optional<std::vector<float>>& std) {
  Normalization n;  // mean 0, std 1: the output is pixel / 255
  auto fill = [](const std::vector<float>& v, float* dst, const char* what, bool positive) {
    if (v.size() != 1 && v.size() != 3)
      throw pyb::value_error(std::string("awsaug: ") + what + " has " + std::to_string(v.size()) +
                             " values; give 1 (gray) or 3 (RGB)");
    for (size_t i = 0; i < 3; ++i) {
      const float x = v[v.size() == 1 ? 0 : i];
      if (!std::isfinite(x) || (positive && !(x > 0)))
        throw pyb::value_error(std::string("awsaug: ") + what + " must be finite" + (positive ? " and > 0" : ""));
      dst[i] = x;
    }
  };
  if (mean) fill(*mean, n.mean, "mean", false);
  if (std) fill(*std, n.std, "std", true);
  return n;
}

// load_policy's errors name the command line's flag; here the argument is `policy`.
Policy policy_named(const std::string& name) {
  try {
    return load_policy(name);
  } catch (const UserError& e) {
    std::string m = e.what();
    const std::string flag = "--policy " + name;
    if (m.rfind(flag, 0) == 0) m = "policy '" + name + "'" + m.substr(flag.size());
    throw pyb::value_error("awsaug: " + m);
  }
}

class Augmenter {
 public:
  Augmenter(const std::string& policy, uint64_t seed, const std::optional<std::vector<float>>& mean,
            const std::optional<std::vector<float>>& std, int threads)
      : policy_(policy_named(policy)),
        norm_(normalization_of(mean, std)),
        seed_(seed),
        cpu_(make_ctx(Device::cpu, checked_threads(threads))) {}

  pyb::object aug(pyb::handle images, pyb::handle indices, int64_t epoch, pyb::object out, pyb::object stream,
                  const std::string& layout, const std::string& dtype, bool gather, bool record_draws) {
    if (layout != "nhwc" && layout != "nchw")
      throw pyb::value_error("awsaug: layout '" + layout + "' is not nhwc or nchw");
    if (dtype != "float32" && dtype != "uint8")
      throw pyb::value_error("awsaug: dtype '" + dtype + "' is not float32 or uint8");
    if (epoch < 0 || epoch > int64_t(UINT32_MAX))
      throw pyb::value_error("awsaug: epoch " + std::to_string(epoch) + " is outside [0, 2^32)");
    // One call at a time: the plan's scratch, the draws and the CUDA buffers are this object's.
    std::unique_lock<std::mutex> busy(mutex_, std::try_to_lock);
    if (!busy.owns_lock())
      throw std::runtime_error("awsaug: this Augmenter is in use by another thread; make one per thread");
    // CUDA: the pass runs on `stream` (default: the legacy default stream), and producers make their
    // tensors ready on it.
    const intptr_t dl_stream = dlpack_stream(stream);
    auto img = borrow(images, TensorRule{"images", {DType::u8}, 4}, dl_stream);
    const Tensor& im = img->tensor();
    const bool cuda = im.device == Device::cuda;
    if (!cuda && !stream.is_none())
      throw pyb::value_error("awsaug: stream= is for CUDA tensors; images are on the cpu");
    const int64_t N = im.dim(0), H = im.dim(1), W = im.dim(2), C = im.dim(3);
    if (H < 1 || W < 1 || H * W > (int64_t(1) << 26))
      throw pyb::value_error("awsaug: images are " + im.shape.str() + "; H and W must be >= 1 and H·W at most 2^26");
    if (C != 1 && C != 3)
      throw pyb::value_error("awsaug: images have " + std::to_string(C) + " channels; NHWC with C = 1 or 3 expected");
    const std::vector<int32_t> idx = indices_of(indices, gather ? N : INT32_MAX);
    const int64_t n = int64_t(idx.size());
    if (!gather && n != N)
      throw pyb::value_error("awsaug: " + std::to_string(n) + " indices for a batch of " + std::to_string(N) +
                             " images (one dataset index per image; gather=True selects rows of images instead)");
    Ctx& ctx = cuda ? gpu_ctx(img->device_id()) : *cpu_;
    if (cuda) bind_device(ctx);  // this thread's current GPU may be another (torch.cuda.set_device)
    const AugmentPlan& plan = plan_for(int(H), int(W), int(C));
    std::unique_ptr<BorrowedTensor> out_borrowed;
    std::shared_ptr<OwnedBuffer> buf;
    Tensor to;
    if (!out.is_none()) {
      out_borrowed = borrow(out, TensorRule{"out", {DType::f32, DType::u8}, 4}, dl_stream);
      to = out_borrowed->tensor();
      const std::string got = to.dtype == DType::u8 ? "uint8" : "float32";
      if (got != dtype) throw pyb::type_error("awsaug: out is " + got + " but dtype='" + dtype + "'");
      if (layout != "nhwc")
        throw pyb::value_error("awsaug: out= takes an NHWC tensor (layout='nhwc'); for NCHW leave out= unset "
                               "and read the returned channels-last view");
      if (to.device != im.device || (cuda && out_borrowed->device_id() != img->device_id()))
        throw pyb::value_error("awsaug: out is on another device than images");
      if (to.shape != Shape{n, H, W, C})
        throw pyb::value_error("awsaug: out is " + to.shape.str() + ", expected " + Shape{n, H, W, C}.str());
      const auto* o0 = static_cast<const uint8_t*>(to.data);
      const auto* i0 = static_cast<const uint8_t*>(im.data);
      if (o0 < i0 + im.bytes() && i0 < o0 + to.bytes())
        throw pyb::value_error("awsaug: out overlaps images (the pass reads images while it writes out)");
    } else {
      const DType dt = dtype == "uint8" ? DType::u8 : DType::f32;
      buf = output_buffer(im.device, size_t(n * H * W * C) * dtype_size(dt));
      to = Tensor(buf->data(), Shape{n, H, W, C}, dt, im.device);
    }
    draws_.assign(record_draws ? size_t(n) : 0, ImageDraws{});
    void* run_stream = stream_handle(dl_stream);
    {
      pyb::gil_scoped_release nogil;  // the pass touches only the buffers held above
      std::unique_ptr<ScopedStream> on_stream;
      Tensor ti(const_cast<int32_t*>(idx.data()), Shape{n}, DType::i32);
      if (cuda) {
        on_stream = std::make_unique<ScopedStream>(ctx, run_stream);
        ti = device_indices(ctx, idx);
      }
      augment_batch(ctx, plan, {.images = im, .indices = ti, .key = train_epoch_key(seed_, uint32_t(epoch)),
                                .out = to, .draws = record_draws ? draws_.data() : nullptr,
                                .rows = gather ? ImageRows::by_index : ImageRows::in_order});
      // The pass has read images and the index buffer when aug() returns (the producer may free or
      // reuse them then): a host wait on the run stream, until this path has run on a GPU and can be
      // made asynchronous with events.
      if (cuda) stream_synchronize(run_stream);
    }
    if (!out.is_none()) return out;  // on CUDA, ordered on `stream` for the caller
    Batch b;
    b.layout = layout;
    b.ran_on = run_stream;
    b.view.buffer = buf;
    b.view.dtype = to.dtype;
    b.view.gpu = cuda ? img->device_id() : 0;
    if (layout == "nhwc") {
      b.view.shape = {n, H, W, C};
      b.view.strides = {H * W * C, W * C, C, 1};
    } else {  // the same bytes seen as NCHW: torch's channels_last
      b.view.shape = {n, C, H, W};
      b.view.strides = {H * W * C, 1, W * C, C};
    }
    return pyb::cast(std::move(b));
  }

  // The last aug() call's draws, one entry per image: numpy int32 arrays by field.
  pyb::dict draws() const {
    static const char* names[] = {"crop_x", "crop_y", "flip", "op1", "op2", "pair", "sign1", "sign2", "cut_y", "cut_x"};
    static_assert(sizeof(ImageDraws) == 10 * sizeof(int32_t), "ImageDraws holds the ten fields named above");
    pyb::dict d;
    const size_t n = draws_.size();
    for (size_t f = 0; f < 10; ++f) {
      pyb::array_t<int32_t> a(static_cast<pyb::ssize_t>(n));
      auto r = a.mutable_unchecked<1>();
      for (size_t b = 0; b < n; ++b) r(pyb::ssize_t(b)) = reinterpret_cast<const int32_t*>(&draws_[b])[f];
      d[names[f]] = a;
    }
    return d;
  }

  std::string policy_name() const { return policy_.name; }
  // The augmentation around the pair-op at an image size: crop padding, flip, Cutout side in pixels.
  pyb::dict base(int h, int w) const {
    if (h < 1 || w < 1) throw pyb::value_error("awsaug: base(h, w) needs h, w >= 1");
    pyb::dict d;
    d["crop_pad"] = policy_.base.crop_pad;
    d["flip"] = policy_.base.flip;
    d["cutout"] = cutout_side(policy_.base.cutout, h, w);
    return d;
  }
  uint64_t seed() const { return seed_; }

 private:
  // Dataset indices as int32: any integer sequence (list, NumPy array, torch tensor); every one in
  // [0, limit) (limit: the rows of images when gathering).
  static std::vector<int32_t> indices_of(pyb::handle h, int64_t limit) {
    pyb::array arr;
    try {
      arr = pyb::module_::import("numpy").attr("asarray")(h);
    } catch (const pyb::error_already_set&) {
      throw pyb::type_error("awsaug: indices must be a 1-d sequence of integers on the host (list, NumPy array, torch "
                            "cpu tensor)");
    }
    if (arr.ndim() != 1)
      throw pyb::type_error("awsaug: indices must be a 1-d sequence of integers, got " + std::to_string(arr.ndim()) +
                            " dimensions");
    if (arr.size() > 0 && arr.dtype().kind() != 'i' && arr.dtype().kind() != 'u')
      throw pyb::type_error("awsaug: indices must be integers, got " + std::string(pyb::str(arr.dtype())));
    auto a = pyb::array_t<int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(arr);
    std::vector<int32_t> v(size_t(a.shape(0)));
    const int64_t* p = a.data();
    for (size_t i = 0; i < v.size(); ++i) {
      if (p[i] < 0 || p[i] >= limit)
        throw pyb::value_error("awsaug: indices[" + std::to_string(i) + "] = " + std::to_string(p[i]) +
                               " is outside [0, " + std::to_string(limit) + ")");
      v[i] = int32_t(p[i]);
    }
    return v;
  }

  // A batch buffer no consumer holds any more (its last capsule freed), else a new one: a training
  // loop's batches alternate between two or three buffers instead of a fresh allocation per call,
  // whose page faults made a 224-px call 2.5x slower on the cpu (0.70 vs 0.28 ms an image, measured).
  // At most kPool buffers are kept.
  std::shared_ptr<OwnedBuffer> output_buffer(Device dev, size_t bytes) {
    constexpr size_t kPool = 4;
    for (auto& b : pool_)
      if (b.use_count() == 1 && b->device() == dev && b->bytes() == bytes) return b;
    std::erase_if(pool_, [](const std::shared_ptr<OwnedBuffer>& b) { return b.use_count() == 1; });
    auto b = std::make_shared<OwnedBuffer>(dev, bytes);
    if (pool_.size() < kPool) pool_.push_back(b);
    return b;
  }

  // One GPU per Augmenter (the engine's rule: one GPU per context), made on first use.
  Ctx& gpu_ctx(int gpu) {
    if (!gpu_) {
      try {
        gpu_ = make_ctx(DeviceSpec{Device::cuda, gpu}, 1);
      } catch (const UserError& e) {
        throw pyb::value_error(std::string("awsaug: a CUDA tensor, but no cuda context: ") + e.what());
      }
    }
    if (gpu_->gpu != gpu)
      throw pyb::value_error("awsaug: this Augmenter runs on cuda:" + std::to_string(gpu_->gpu) +
                             "; make another Augmenter for cuda:" + std::to_string(gpu));
    return *gpu_;
  }

  // The indices on the GPU, in a buffer that only grows, copied on the context's current stream
  // (a pageable host source: the copy has read it when mem_copy returns).
  Tensor device_indices(Ctx& ctx, const std::vector<int32_t>& idx) {
    const size_t bytes = idx.size() * sizeof(int32_t);
    if (!dev_idx_ || dev_idx_bytes_ < bytes) {
      dev_idx_ = std::make_unique<OwnedBuffer>(Device::cuda, bytes);
      dev_idx_bytes_ = bytes;
    }
    if (bytes > 0) mem_copy(ctx, dev_idx_->data(), idx.data(), bytes, CopyKind::host_to_dev);
    return Tensor(dev_idx_->data(), Shape{int64_t(idx.size())}, DType::i32, Device::cuda);
  }

  const AugmentPlan& plan_for(int h, int w, int c) {
    const std::array<int, 3> k{h, w, c};
    auto it = plans_.find(k);
    if (it == plans_.end()) it = plans_.emplace(k, make_augment_plan(policy_, h, w, c, norm_)).first;
    return it->second;
  }

  Policy policy_;
  Normalization norm_;
  uint64_t seed_;
  std::unique_ptr<Ctx> cpu_;
  std::mutex mutex_;  // held for the whole of an aug() call
  std::unique_ptr<Ctx> gpu_;  // the cuda context, made for the first CUDA batch
  std::unique_ptr<OwnedBuffer> dev_idx_;
  std::vector<std::shared_ptr<OwnedBuffer>> pool_;  // output batches, reused once no consumer holds them
  size_t dev_idx_bytes_ = 0;
  std::map<std::array<int, 3>, AugmentPlan> plans_;  // one per image size met
  std::vector<ImageDraws> draws_;
};

}  // namespace

}  // namespace aws::py

using namespace aws;
using namespace aws::py;

PYBIND11_MODULE(awsaug, m) {
  m.doc() = "Pillow-exact per-image augmentation (the AWS engine's fused pass) for DLPack tensors";
  pyb::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {  // UserError included: a bad policy name or file, a bad shape
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  pyb::class_<Batch>(m, "Batch", "An augmented batch; read it with torch.from_dlpack or numpy.from_dlpack")
      .def("__dlpack__", &Batch::dlpack, pyb::arg("stream") = pyb::none())
      .def("__dlpack_device__", &Batch::dlpack_device)
      .def_property_readonly("shape", [](const Batch& b) { return b.view.shape; })
      .def_property_readonly("dtype", [](const Batch& b) { return b.view.dtype == DType::u8 ? "uint8" : "float32"; })
      .def_readonly("layout", &Batch::layout);
  pyb::class_<Augmenter>(m, "Augmenter")
      .def(pyb::init<const std::string&, uint64_t, const std::optional<std::vector<float>>&,
                     const std::optional<std::vector<float>>&, int>(),
           pyb::arg("policy"), pyb::arg("seed") = 0, pyb::arg("mean") = pyb::none(), pyb::arg("std") = pyb::none(),
           pyb::arg("threads") = 0,
           "policy: a built-in name (uniform, crop-flip, randaugment, ...) or a policy.json; seed: as aws train "
           "--seed; mean/std: per channel, for the float output (default 0 and 1: pixel / 255)")
      .def("aug", &Augmenter::aug, pyb::arg("images"), pyb::arg("indices"), pyb::arg("epoch"),
           pyb::arg("out") = pyb::none(), pyb::arg("stream") = pyb::none(), pyb::arg("layout") = "nhwc",
           pyb::arg("dtype") = "float32", pyb::arg("gather") = false, pyb::arg("record_draws") = true,
           "images: uint8 NHWC batch; indices: each image's dataset index (keys its draws); epoch: the training "
           "epoch; stream: a CUDA stream handle to run on. Returns a Batch (or fills out)")
      .def("draws", &Augmenter::draws, "the last aug() call's per-image draws, as int32 arrays by field")
      .def("base", &Augmenter::base, pyb::arg("h"), pyb::arg("w"),
           "the policy's crop padding, flip and Cutout side (pixels) for h x w images")
      .def_property_readonly("policy", &Augmenter::policy_name)
      .def_property_readonly("seed", &Augmenter::seed);
  m.def("policies", &builtin_policy_names, "the built-in policy names");
}
