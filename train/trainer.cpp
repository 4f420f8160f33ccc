#include "train/trainer.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "engine/runtime/memory.h"
#include "engine/ops/add.h"

namespace aws {

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
    : ctx_(ctx), model_(model), opt_(opt), opt_cfg_(o), batch_(batch), inputs_(ctx, batch * std::max(1, o.eb)) {
  if (o.eb < 1) throw UserError("--eb must be >= 1");
  if (o.comm && o.comm->size() > 1 && ctx.is_cuda() && o.comm->backend() != "nccl")
    throw UserError("--device cuda with " + std::to_string(o.comm->size()) +
                    " ranks: data-parallel training on cuda needs the NCCL communicator (-DAWS_NCCL=ON)");
  // A collective captured in a graph is replayed without the event the NCCL watchdog times it by, so a
  // peer that never comes would hang the job unseen; and NCCL in captured graphs has never run here.
  if (o.cuda_graphs && o.comm && o.comm->size() > 1)
    throw UserError("--cuda-graphs: not with " + std::to_string(o.comm->size()) +
                    " data-parallel ranks (the NCCL collectives would run unwatched inside the graph); run "
                    "without --cuda-graphs");
  AWS_ASSERT(model.batch == batch * o.eb, "model planned for another batch size");
  opt_.declare_state(model_.state, model_.params);
  model_.work.add(&loss_sum_, Shape{1}, DType::f32);
  model_.work.add(&correct_sum_, Shape{1}, DType::i32);
  model_.work.add(&pair_dev_, Shape{kPairs}, DType::i32);
  if (o.clip_norm > 0) {
    clip_ = std::make_unique<GradClip>(o.clip_norm);
    clip_->declare_workspace(model_.work);
  }
  model_.commit(ctx_);
  gathered_.resize(size_t(model.batch));
  pair_host_.resize(size_t(kPairs));
}

Trainer::~Trainer() = default;

// The end of a data-parallel epoch: loss, accuracy and image counts over all ranks; BN running
// statistics averaged (each rank saw its own rows); then every rank's network state hashed and
// compared, so ranks that drifted apart stop the run instead of training on silently.
void Trainer::sync_ranks(uint32_t epoch, double& loss_sum, int64_t& correct_sum, int64_t& images) {
  Communicator& c = *opt_cfg_.comm;
  double sums[2] = {loss_sum, double(correct_sum)};
  Tensor ts(sums, Shape{2}, DType::f64);
  c.allreduce(ctx_, ts, ReduceOp::sum);
  loss_sum = sums[0] / double(c.size());
  correct_sum = int64_t(sums[1]);
  images *= c.size();
  for (const BufferRef& b : model_.buffers) c.allreduce(ctx_, *b.t, ReduceOp::mean);
  const void* state = model_.state.base();
  std::vector<uint8_t> host;  // cuda: the state is hashed on the host, once an epoch
  if (ctx_.is_cuda()) {
    host.resize(model_.network_state_bytes());
    mem_copy(ctx_, host.data(), state, host.size(), CopyKind::dev_to_host);
    state = host.data();
  }
  if (const int r = first_rank_differing(c, ctx_, XXH3_64bits(state, model_.network_state_bytes())); r >= 0)
    throw Error("epoch " + std::to_string(epoch + 1) + ": rank " + std::to_string(r) +
                " holds another network state than rank 0 (data-parallel ranks drifted apart)");
}

void Trainer::zero_pair_counts() { mem_zero(ctx_, pair_dev_.data, pair_dev_.bytes()); }

void Trainer::add_pair_counts(int64_t* out) {
  mem_copy(ctx_, pair_host_.data(), pair_dev_.data, pair_dev_.bytes(), CopyKind::dev_to_host);
  for (size_t k = 0; k < pair_host_.size(); ++k) out[k] += pair_host_[k];
}

EpochStats Trainer::train_epoch(const BatchSource& train, const std::vector<int32_t>& indices,
                                const AugmentPlan& plan, const RngKey& key, const LrSchedule& lr, int64_t& iter,
                                int64_t* pair_counts, const StepCallback& cb) {
  const auto t0 = Clock::now();
  EpochStats st;
  share_device_cache(ctx_, plan, aug_cache_);
  epoch_permutation(key, int64_t(indices.size()), order_);
  const int ranks = opt_cfg_.comm ? opt_cfg_.comm->size() : 1, rank = opt_cfg_.comm ? opt_cfg_.comm->rank() : 0;
  const int64_t global_batch = batch_ * ranks;  // this rank's rows: [rank·batch, (rank+1)·batch) of each
  const int64_t steps = int64_t(indices.size()) / global_batch;
  const int64_t rows_per_step = batch_ * opt_cfg_.eb;
  const Dataset& d = train.dataset();
  SoftmaxCEParams ce{opt_cfg_.label_smoothing};
  Tensor logits = rows(model_.head.logits, rows_per_step), dlogits = rows(model_.head.dlogits, rows_per_step);
  // What the step reads from the staging buffer: fixed addresses, new contents per step.
  const Tensor labels = inputs_.labels(rows_per_step), batch_idx = inputs_.indices(batch_), step_lr = inputs_.lr(),
               step_key = inputs_.key();
  Tensor* counts = pair_counts ? &pair_dev_ : nullptr;
  if (counts) zero_pair_counts();
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
  const size_t image_floats = size_t(d.h) * d.w * d.c;
  // One train step on the staged inputs: run eagerly, or recorded into the graph (aug_time null then:
  // host time measured inside a capture means nothing). The same calls in the same order either way.
  BatchImages imgs;  // this step's images, from the source (the same buffer every step)
  auto run_step = [&](double* aug_time) {
    const auto ta = Clock::now();
    for (int c = 0; c < opt_cfg_.eb; ++c) {  // each image eb times, with its copy index in the key
      RngKey k = key;
      k.copy = uint32_t(c);
      Tensor out(model_.input.f32() + size_t(c) * size_t(batch_) * image_floats, Shape{batch_, d.h, d.w, d.c},
                 DType::f32, model_.input.device);
      augment_batch(ctx_, plan, {.images = *imgs.images, .indices = batch_idx, .key = k, .out = out,
                                 .pair_counts = counts, .rows = imgs.rows});
    }
    if (aug_time) *aug_time += seconds_since(ta);
    model_.forward(ctx_, rows_per_step, true, step_key);
    softmax_ce_forward_backward(ctx_, ce, {.logits = logits, .labels = labels, .loss = model_.loss, .dlogits = dlogits,
                                           .correct = model_.correct});
    model_.backward(ctx_, rows_per_step);
    if (ranks > 1) {  // the global batch's mean gradient, in one call over the contiguous arena
      Tensor grads(model_.grads.base(), Shape{int64_t(model_.grads.bytes() / 4)}, DType::f32, model_.grads.device());
      opt_cfg_.comm->allreduce(ctx_, grads, ReduceOp::mean);
    }
    if (clip_) clip_->compute(ctx_, model_.params);
    opt_.step(ctx_, step_lr, clip_ ? &clip_->scale() : nullptr);
    add_forward(ctx_, {.a = loss_sum_, .b = model_.loss, .y = loss_sum_});
    count_correct(ctx_, {.logits = logits, .labels = labels, .correct = correct_sum_});
  };
  // Divergence: the running loss sum (and, on the cpu with clipping, the step's gradient norm) must be
  // finite; `exact` says whether the failing step is known (cpu) or only bounded (cuda: read late).
  auto check_finite = [&](double loss_sum, float grad_norm, int64_t step, bool exact) {
    if (std::isfinite(loss_sum) && std::isfinite(grad_norm)) return;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s epoch %u step %lld/%lld: training diverged: %s is %s at learning rate %g",
                  context_.empty() ? "train" : context_.c_str(), unsigned(key.epoch) + 1, (long long)step,
                  (long long)steps, std::isfinite(loss_sum) ? "the gradient norm" : "the loss",
                  std::isfinite(loss_sum) ? (std::isnan(grad_norm) ? "nan" : "inf") : (std::isnan(loss_sum) ? "nan" : "inf"),
                  lr.at(std::max<int64_t>(iter - 1, 0)));
    throw UserError(std::string(buf) + (exact ? "" : " (found by this step)") +
                    "; nothing was saved from it (try a lower learning rate)");
  };
  const bool graphs = opt_cfg_.cuda_graphs && CudaGraph::usable(ctx_);
  double loss_sum = 0;
  int64_t correct_sum = 0;
  auto gather = [&](int64_t step) {  // this rank's rows of the step's global batch
    for (int64_t b = 0; b < batch_; ++b)
      gathered_[size_t(b)] = indices[size_t(order_[size_t(step * global_batch + rank * batch_ + b)])];
  };
  for (int64_t s = 0; s < steps; ++s) {
    gather(s);
    const auto ta = Clock::now();
    inputs_.stage(ctx_, float(lr.at(iter)), step_random_key(key, s), gathered_.data(), batch_, opt_cfg_.eb,
                  d.labels);
    imgs = train.fetch(ctx_, gathered_.data(), batch_, FetchKey{true, key});
    if (s + 1 < steps) {  // the staged copy holds this step's indices: gathered_ is free for the next's
      gather(s + 1);
      train.prefetch(ctx_, gathered_.data(), batch_, FetchKey{true, key});
    }
    st.augment_seconds += seconds_since(ta);
    if (graphs && s > 0) {
      // This epoch's key and plan are kernel arguments: capture once per epoch (the first capture
      // instantiates, later ones update the executable in place), then replay.
      if (s == 1) graph_.capture(ctx_, [&] { run_step(nullptr); });
      graph_.launch(ctx_);
      ++st.graph_steps;
    } else {
      run_step(&st.augment_seconds);
    }
    ++iter;
    st.images += rows_per_step;
    if (!ctx_.is_cuda()) {  // host memory: reading the sum and the norm costs nothing
      float l = 0;
      std::memcpy(&l, loss_sum_.data, 4);
      check_finite(l, clip_ ? clip_->norm(ctx_) : 0.0f, s + 1, true);
    }
    if (cb && ((s + 1) % report_every == 0 || s + 1 == steps)) {
      read_sums(loss_sum, correct_sum);
      check_finite(loss_sum, 0.0f, s + 1, !ctx_.is_cuda());
      cb(s + 1, steps, loss_sum / double(s + 1), 100.0 * double(correct_sum) / double(st.images));
    }
  }
  read_sums(loss_sum, correct_sum);
  check_finite(loss_sum, 0.0f, steps, !ctx_.is_cuda());
  if (pair_counts) add_pair_counts(pair_counts);
  if (ranks > 1) sync_ranks(key.epoch, loss_sum, correct_sum, st.images);
  st.loss = steps ? loss_sum / double(steps) : 0;
  st.acc = st.images ? 100.0 * double(correct_sum) / double(st.images) : 0;
  st.seconds = seconds_since(t0);
  return st;
}

// Eval-mode accuracy (%) over `indices` (all images when empty): `make_input(idx, images, in)` writes
// the network input of the images whose indices the device tensor idx holds, read from the source's
// batch `images` (the next chunk's prefetched meanwhile). idx_scratch (model.batch entries) and
// `inputs` are caller-owned, so a trainer's repeated evaluations allocate nothing.
template <class MakeInput>
static double eval_loop(Ctx& ctx, Model& model, const BatchSource& data, const std::vector<int32_t>& indices,
                        std::vector<int32_t>& idx_scratch, StepInputs& inputs, MakeInput&& make_input) {
  const Dataset& d = data.dataset();
  const int64_t total = indices.empty() ? d.n : int64_t(indices.size());
  const int64_t cap = model.batch;
  mem_zero(ctx, model.correct.data, 4);
  // The indices of the chunk at `start` (idx_scratch holds them when `indices` is empty: all images).
  auto chunk = [&](int64_t start, int64_t n) -> const int32_t* {
    if (!indices.empty()) return indices.data() + start;
    for (int64_t i = 0; i < n; ++i) idx_scratch[size_t(i)] = int32_t(start + i);
    return idx_scratch.data();
  };
  for (int64_t start = 0; start < total; start += cap) {
    const int64_t n = std::min(cap, total - start);
    const int32_t* idx = chunk(start, n);
    inputs.stage(ctx, 0.0f, 0, idx, n, 1, d.labels);
    const BatchImages imgs = data.fetch(ctx, idx, n, FetchKey{});
    if (const int64_t next = std::min(cap, total - start - cap); next > 0)  // staged: idx_scratch is free
      data.prefetch(ctx, chunk(start + cap, next), next, FetchKey{});
    Tensor in = rows(model.input, n);
    make_input(inputs.indices(n), imgs, in);
    model.forward(ctx, n, false, inputs.key());
    Tensor logits = rows(model.head.logits, n), lb = inputs.labels(n);
    count_correct(ctx, {.logits = logits, .labels = lb, .correct = model.correct});
  }
  int32_t correct = 0;
  mem_copy(ctx, &correct, model.correct.data, 4, CopyKind::dev_to_host);
  ctx.sync();
  return total ? 100.0 * double(correct) / double(total) : 0.0;
}

double evaluate_model(Ctx& ctx, Model& model, const BatchSource& data, const std::vector<int32_t>& indices,
                      const Normalization& norm) {
  std::vector<int32_t> idx(static_cast<size_t>(model.batch));
  StepInputs inputs(ctx, model.batch);
  return eval_loop(ctx, model, data, indices, idx, inputs, [&](const Tensor& i, const BatchImages& b, Tensor& in) {
    normalize_batch(ctx, norm, {.images = *b.images, .indices = i, .out = in, .rows = b.rows});
  });
}

double Trainer::evaluate(const BatchSource& data, const std::vector<int32_t>& indices, const Normalization& norm) {
  return eval_loop(ctx_, model_, data, indices, gathered_, inputs_,
                   [&](const Tensor& idx, const BatchImages& b, Tensor& in) {
                     normalize_batch(ctx_, norm, {.images = *b.images, .indices = idx, .out = in, .rows = b.rows});
                   });
}

double Trainer::evaluate_augmented(const BatchSource& data, const std::vector<int32_t>& indices,
                                   const AugmentPlan& plan, const RngKey& key, int64_t* pair_counts) {
  Tensor* counts = pair_counts ? &pair_dev_ : nullptr;
  if (counts) zero_pair_counts();
  share_device_cache(ctx_, plan, aug_cache_);
  const double acc = eval_loop(
      ctx_, model_, data, indices, gathered_, inputs_, [&](const Tensor& idx, const BatchImages& b, Tensor& in) {
        augment_batch(
            ctx_, plan,
            {.images = *b.images, .indices = idx, .key = key, .out = in, .pair_counts = counts, .rows = b.rows});
      });
  if (pair_counts) add_pair_counts(pair_counts);
  return acc;
}

}  // namespace aws
