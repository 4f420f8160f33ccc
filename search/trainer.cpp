#include "search/trainer.h"

#include <chrono>

#include "engine/core/memory.h"
#include "engine/ops/add.h"

namespace aws {

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

ResidentImages::ResidentImages(Ctx& ctx, const Dataset& d) : d_(d), dev_(ctx.device) {
  Shape s{d.n, d.h, d.w, d.c};
  if (ctx.is_cuda()) {
    owned_ = mem_alloc(Device::cuda, d.images.size());
    mem_copy(ctx, owned_, d.images.data(), d.images.size(), CopyKind::host_to_dev);
    ctx.sync();
    images_ = Tensor(owned_, s, DType::u8, Device::cuda);
  } else {
    images_ = Tensor(const_cast<uint8_t*>(d.images.data()), s, DType::u8, Device::cpu);
  }
}

ResidentImages::~ResidentImages() { mem_free(dev_, owned_); }

void epoch_permutation(const RngKey& key, int64_t n, std::vector<int32_t>& out) {
  out.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = int32_t(i);
  const uint64_t stream = splitmix64(rng_stream(key) ^ 0x53485546464C45ull);  // "SHUFFLE"
  for (int64_t i = n - 1; i > 0; --i) {
    Rand4 r = philox4x32(stream, uint32_t(i), 0);
    int64_t j = int64_t(rand_below(r.v[0], uint32_t(i + 1)));
    std::swap(out[size_t(i)], out[size_t(j)]);
  }
}

Trainer::Trainer(Ctx& ctx, Model& model, Optimizer& opt, const TrainOptions& o, int64_t batch)
    : ctx_(ctx), model_(model), opt_(opt), opt_cfg_(o), batch_(batch) {
  if (o.eb < 1) throw UserError("--eb must be >= 1");
  AWS_ASSERT(model.batch == batch * o.eb, "model planned for another batch size");
  opt_.declare_state(model_.state, model_.params);
  model_.work.add(&loss_sum_, Shape{1}, DType::f32);
  model_.work.add(&correct_sum_, Shape{1}, DType::i32);
  if (o.clip_norm > 0) {
    clip_ = std::make_unique<GradClip>(o.clip_norm);
    clip_->declare_workspace(model_.work);
  }
  model_.commit(ctx_);
  host_labels_.resize(size_t(model.batch));
  gathered_.resize(size_t(model.batch));
  draws_.resize(size_t(model.batch));
}

Trainer::~Trainer() = default;

EpochStats Trainer::train_epoch(const ResidentImages& train, const std::vector<int32_t>& indices,
                                const AugmentPlan& plan, const RngKey& key, const LrSchedule& lr, int64_t& iter,
                                int64_t* pair_counts, const StepCallback& cb) {
  const auto t0 = Clock::now();
  EpochStats st;
  epoch_permutation(key, int64_t(indices.size()), order_);
  const int64_t steps = int64_t(indices.size()) / batch_;
  const int64_t rows_per_step = batch_ * opt_cfg_.eb;
  const Dataset& d = train.dataset();
  SoftmaxCEParams ce{opt_cfg_.label_smoothing};
  Tensor logits = rows(model_.head.logits, rows_per_step), dlogits = rows(model_.head.dlogits, rows_per_step);
  Tensor labels = rows(model_.labels, rows_per_step);
  // Loss and accuracy accumulate on the device and are read back only for progress reports (every
  // step on the cpu, where it costs nothing; every 50 steps on cuda) and at the end of the epoch.
  const int64_t report_every = ctx_.is_cuda() ? 50 : 1;
  mem_zero(ctx_, loss_sum_.data, 4);
  mem_zero(ctx_, correct_sum_.data, 4);
  auto read_sums = [&](double& loss_sum, int64_t& correct_sum) {
    float l = 0;
    int32_t c = 0;
    mem_copy(ctx_, &l, loss_sum_.data, 4, CopyKind::dev_to_host);
    mem_copy(ctx_, &c, correct_sum_.data, 4, CopyKind::dev_to_host);
    ctx_.sync();
    loss_sum = l;
    correct_sum = c;
  };
  double loss_sum = 0;
  int64_t correct_sum = 0;
  const size_t image_floats = size_t(d.h) * d.w * d.c;
  for (int64_t s = 0; s < steps; ++s) {
    // The batch: `batch_` images, each repeated eb times with its own copy index in the key.
    for (int64_t b = 0; b < batch_; ++b) gathered_[size_t(b)] = indices[size_t(order_[size_t(s * batch_ + b)])];
    auto ta = Clock::now();
    for (int c = 0; c < opt_cfg_.eb; ++c) {
      RngKey k = key;
      k.copy = uint32_t(c);
      Tensor out(model_.input.f32() + size_t(c) * size_t(batch_) * image_floats, Shape{batch_, d.h, d.w, d.c},
                 DType::f32, model_.input.device);
      augment_batch(ctx_, plan, train.images(), gathered_.data(), int(batch_), k, out,
                    pair_counts ? draws_.data() : nullptr);
      if (pair_counts) count_pairs(draws_.data(), int(batch_), pair_counts);
      for (int64_t b = 0; b < batch_; ++b) host_labels_[size_t(c * batch_ + b)] = d.labels[size_t(gathered_[size_t(b)])];
    }
    st.augment_seconds += seconds_since(ta);
    mem_copy(ctx_, model_.labels.data, host_labels_.data(), size_t(rows_per_step) * 4, CopyKind::host_to_dev);
    model_.forward(ctx_, rows_per_step, true);
    softmax_ce_forward_backward(ctx_, ce, logits, labels, model_.loss, dlogits, model_.correct);
    model_.backward(ctx_, rows_per_step);
    if (clip_) clip_->compute(ctx_, model_.params);
    opt_.step(ctx_, float(lr.at(iter)), clip_ ? &clip_->scale() : nullptr);
    ++iter;
    add_forward(ctx_, loss_sum_, model_.loss, loss_sum_);
    count_correct(ctx_, logits, labels, correct_sum_);
    st.images += rows_per_step;
    if (cb && ((s + 1) % report_every == 0 || s + 1 == steps)) {
      read_sums(loss_sum, correct_sum);
      cb(s + 1, steps, loss_sum / double(s + 1), 100.0 * double(correct_sum) / double(st.images));
    }
  }
  read_sums(loss_sum, correct_sum);
  st.loss = steps ? loss_sum / double(steps) : 0;
  st.acc = st.images ? 100.0 * double(correct_sum) / double(st.images) : 0;
  st.seconds = seconds_since(t0);
  return st;
}

// Eval-mode accuracy (%) over `indices` (all images when empty): `make_input(idx, n, in)` writes the
// network input of n images. idx and labels are caller-owned scratch of model.batch entries, so a
// trainer's repeated evaluations allocate nothing.
template <class MakeInput>
static double eval_loop(Ctx& ctx, Model& model, const ResidentImages& data, const std::vector<int32_t>& indices,
                        std::vector<int32_t>& idx, std::vector<int32_t>& labels, MakeInput&& make_input) {
  const Dataset& d = data.dataset();
  const int64_t total = indices.empty() ? d.n : int64_t(indices.size());
  const int64_t cap = model.batch;
  mem_zero(ctx, model.correct.data, 4);
  for (int64_t start = 0; start < total; start += cap) {
    const int64_t n = std::min(cap, total - start);
    for (int64_t i = 0; i < n; ++i) {
      idx[size_t(i)] = indices.empty() ? int32_t(start + i) : indices[size_t(start + i)];
      labels[size_t(i)] = d.labels[size_t(idx[size_t(i)])];
    }
    Tensor in = rows(model.input, n);
    make_input(idx.data(), n, in);
    mem_copy(ctx, model.labels.data, labels.data(), size_t(n) * 4, CopyKind::host_to_dev);
    model.forward(ctx, n, false);
    Tensor logits = rows(model.head.logits, n), lb = rows(model.labels, n);
    count_correct(ctx, logits, lb, model.correct);
  }
  int32_t correct = 0;
  mem_copy(ctx, &correct, model.correct.data, 4, CopyKind::dev_to_host);
  ctx.sync();
  return total ? 100.0 * double(correct) / double(total) : 0.0;
}

double evaluate_model(Ctx& ctx, Model& model, const ResidentImages& data, const std::vector<int32_t>& indices,
                      const Normalization& norm) {
  std::vector<int32_t> idx(static_cast<size_t>(model.batch)), labels(static_cast<size_t>(model.batch));
  return eval_loop(ctx, model, data, indices, idx, labels, [&](const int32_t* i, int64_t n, Tensor& in) {
    normalize_batch(ctx, data.images(), i, int(n), norm, in);
  });
}

double Trainer::evaluate(const ResidentImages& data, const std::vector<int32_t>& indices, const Normalization& norm) {
  return eval_loop(ctx_, model_, data, indices, gathered_, host_labels_, [&](const int32_t* idx, int64_t n, Tensor& in) {
    normalize_batch(ctx_, data.images(), idx, int(n), norm, in);
  });
}

double Trainer::evaluate_augmented(const ResidentImages& data, const std::vector<int32_t>& indices,
                                   const AugmentPlan& plan, const RngKey& key) {
  return eval_loop(ctx_, model_, data, indices, gathered_, host_labels_, [&](const int32_t* idx, int64_t n, Tensor& in) {
    augment_batch(ctx_, plan, data.images(), idx, int(n), key, in, nullptr);
  });
}

}  // namespace aws
