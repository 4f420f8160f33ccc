// Training from scratch under one policy and recipe. See final_training.h.
#include "train/final_training.h"

#include <algorithm>
#include <cstdio>

#include "augment/pipeline.h"
#include "core/error.h"
#include "core/strprintf.h"
#include "engine/optim/schedule.h"
#include "engine/optim/sgd.h"
#include "models/precision.h"
#include "train/model_file.h"
#include "train/streamed_folder.h"
#include "train/trainer.h"

namespace aws {

TrainingResult train_model(Ctx& ctx, const Dataset& train, const Dataset& test, const Split& split,
                           const TrainingSpec& spec, TrainingObserver& obs) {
  const TrainRecipe& r = spec.recipe;
  if (int64_t(split.train.size()) < r.batch) throw UserError("--batch: larger than the training set");
  const int ranks = spec.comm ? spec.comm->size() : 1;
  if (r.batch % ranks != 0)
    throw UserError("--batch " + std::to_string(r.batch) + " is not divisible by the " + std::to_string(ranks) +
                    " ranks (each trains batch / ranks rows of every batch)");
  const int64_t rank_batch = r.batch / ranks;
  TrainingResult out;
  out.norm = training_normalization(train, split.train, ctx.threads);
  ModelSpec ms{spec.model, train.h, train.w, train.c, train.num_classes, float(r.bn_momentum)};
  ms.zero_init_residual = spec.zero_init_residual;
  apply_math(spec.math, ctx, ms);
  out.model = create_model(ms, rank_batch * spec.eb, ctx.device);
  Model& model = *out.model;
  Sgd sgd(SgdConfig{float(r.momentum), r.nesterov, float(r.weight_decay)});
  Trainer trainer(ctx, model, sgd,
                  TrainOptions{float(r.label_smoothing), float(r.clip), spec.eb, spec.cuda_graphs, spec.comm},
                  rank_batch);
  model.init_params(ctx, spec.seed);
  if (!spec.init.empty()) load_model_file(ctx, spec.init, model);  // weights, BN statistics and momentum

  const int64_t steps_per_epoch = int64_t(split.train.size()) / r.batch;
  LrSchedule lr = parse_lr_schedule(r.schedule, "--schedule");
  lr.base = r.lr;
  lr.total = steps_per_epoch * r.epochs;
  lr.warmup = int64_t(r.warmup_epochs * double(steps_per_epoch) + 0.5);
  lr.warmup_from = r.warmup_from;
  lr.validate("--schedule");

  AugmentPlan plan = make_augment_plan(spec.policy, train.h, train.w, train.c, out.norm,
                                       PlanOptions{.cropped_upstream = train.streamed()});
  const std::unique_ptr<BatchSource> train_res = make_batch_source(ctx, train, model.batch),
                                     test_res = make_batch_source(ctx, test, model.batch);
  char line[320];
  std::snprintf(line, sizeof line, "train: %s (%lld params), %zu images, policy %s, %d epochs, lr %s, %d threads%s",
                spec.model.c_str(), (long long)model.num_params(), split.train.size(), spec.policy.name.c_str(),
                r.epochs, lr.str().c_str(), ctx.threads,
                ranks > 1 ? strprintf(" x %d ranks (%lld images each per step)", ranks, (long long)rank_batch).c_str()
                          : "");
  obs.ready();  // before the first line: a front end that cannot write says so first
  obs.message(line);
  if (const size_t ring = train_res->ring_bytes() + test_res->ring_bytes())
    obs.message(strprintf("decoding %s per batch into a ring of %.1f MiB (training and test sources)",
                          train.name.c_str(), double(ring) / (1 << 20)));
  trainer.set_context("train");
  int64_t iter = 0;
  for (int e = 0; e < r.epochs; ++e) {
    obs.epoch_begin(e, steps_per_epoch);
    const RngKey key = train_epoch_key(spec.seed, uint32_t(e));
    EpochStats st = trainer.train_epoch(*train_res, split.train, plan, key, lr, iter, nullptr,
                                        [&](int64_t s, int64_t, double loss, double acc) { obs.step(s, loss, acc); });
    out.test_acc = trainer.evaluate(*test_res, {}, out.norm);
    out.best_test = std::max(out.best_test, out.test_acc);
    if (!split.val.empty()) out.val_acc = trainer.evaluate(*train_res, split.val, out.norm);
    nlohmann::json rec{{"epoch", e + 1},           {"loss", st.loss},
                       {"train_acc", st.acc},      {"test_acc", out.test_acc},
                       {"images_per_s", double(st.images) / st.seconds}, {"seconds", st.seconds},
                       {"augment_seconds", st.augment_seconds},          {"lr_end", lr.at(iter - 1)}};
    if (out.val_acc >= 0) rec["val_acc"] = out.val_acc;
    obs.epoch_end(rec);
  }
  return out;
}

}  // namespace aws
