// The training loop's per-step inputs (train/step_inputs.h): the packed layout (lr, eb copies of the
// labels, indices) and its checks; the cpu staging (device() is the host buffer); CudaGraph refusing
// a cpu context; and the trainer on staged inputs against a hand-written loop that feeds the same
// step the old way (host index views, labels in the model's buffer, lr in its own tensor, pair
// counts from the returned draws): state arena bit-identical and pair counts equal, with eb = 2 and
// a learning rate that changes every step, with cuda_graphs on (ignored on the cpu) and off.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "augment/builtin_policies.h"
#include "engine/runtime/memory.h"
#include "engine/graph/cuda_graph.h"
#include "engine/optim/sgd.h"
#include "train/step_inputs.h"
#include "train/trainer.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"

using namespace aws;

TEST_CASE("step inputs: packed layout is lr, copies of the labels, indices; bad input is rejected") {
  const StepLayout l{6};
  CHECK(l.words() == 15);
  std::vector<int32_t> labels{5, 6, 7, 8, 9};
  std::vector<uint32_t> buf(l.words(), 0xDEADBEEFu);
  const int32_t idx[3] = {4, 0, 2};
  pack_step_inputs(l, 0.375f, 0x0123456789ABCDEFull, idx, 3, 2, labels, buf.data());
  float lr;
  std::memcpy(&lr, &buf[0], 4);
  CHECK(lr == 0.375f);
  const int32_t want_labels[6] = {9, 5, 7, 9, 5, 7};
  for (int i = 0; i < 6; ++i) CHECK(int32_t(buf[size_t(1 + i)]) == want_labels[i]);
  for (int i = 0; i < 3; ++i) CHECK(int32_t(buf[size_t(7 + i)]) == idx[i]);
  CHECK(buf[10] == 0xDEADBEEFu);  // nothing written past the n indices
  CHECK(buf[13] == 0x89ABCDEFu);   // the key: low word, high word
  CHECK(buf[14] == 0x01234567u);

  const int32_t bad[2] = {1, 5};
  CHECK_THROWS_WITH_AS(pack_step_inputs(l, 0.1f, 0, bad, 2, 1, labels, buf.data()),
                       "step inputs: index 1 = 5 outside [0, 5)", Error);
  const int32_t neg[1] = {-1};
  CHECK_THROWS_AS(pack_step_inputs(l, 0.1f, 0, neg, 1, 1, labels, buf.data()), Error);
  CHECK_THROWS_AS(pack_step_inputs(l, 0.1f, 0, idx, 3, 3, labels, buf.data()), Error);  // 9 rows > 6
}

TEST_CASE("step inputs: cpu staging reads back through the device views; cpu contexts have no graphs") {
  Ctx ctx(Device::cpu, 1);
  StepInputs in(ctx, 4);
  std::vector<int32_t> labels{0, 1, 2, 3, 4, 5, 6, 7};
  const int32_t a[2] = {7, 3}, b[4] = {1, 2, 3, 4};
  in.stage(ctx, 0.5f, 11, a, 2, 2, labels);
  CHECK(in.lr().f32()[0] == 0.5f);
  CHECK(in.indices(2).i32()[1] == 3);
  CHECK(in.labels(4).i32()[2] == 7);
  const void* where = in.lr().data;
  const void* key_where = in.key().data;
  in.stage(ctx, 0.25f, step_random_key(RngKey{5}, 3), b, 4, 1, labels);  // same addresses, new contents
  CHECK(in.key().data == key_where);
  const uint64_t k = uint64_t(uint32_t(in.key().i32()[0])) | (uint64_t(uint32_t(in.key().i32()[1])) << 32);
  CHECK(k == step_random_key(RngKey{5}, 3));
  // A pure function of (epoch key, step), distinct across steps, epochs and seeds.
  CHECK(step_random_key(RngKey{5}, 3) == step_random_key(RngKey{5}, 3));
  CHECK(step_random_key(RngKey{5}, 3) != step_random_key(RngKey{5}, 4));
  CHECK(step_random_key(RngKey{5, 0, 0, 0, 1}, 3) != step_random_key(RngKey{5}, 3));
  CHECK(step_random_key(RngKey{6}, 3) != step_random_key(RngKey{5}, 3));
  CHECK(step_random_key(RngKey{5}, 3) != rng_stream(RngKey{5}));
  CHECK(in.lr().data == where);
  CHECK(in.lr().f32()[0] == 0.25f);
  for (int i = 0; i < 4; ++i) CHECK(in.labels(4).i32()[i] == b[i]);
  CHECK(in.indices(4).shape == Shape{4});
  CHECK(in.indices(4).dtype == DType::i32);

  CHECK_FALSE(CudaGraph::usable(ctx));
  CudaGraph g;
  CHECK_THROWS_AS(g.capture(ctx, [] {}), Error);
  CHECK_FALSE(g.ready());
  CHECK_THROWS_AS(g.launch(ctx), Error);
}

TEST_CASE("step inputs: the trainer's staged step equals a hand-fed step (eb 2, per-step lr, pair counts)") {
  const uint64_t seed = test::test_seed(91);
  INFO("seed ", seed);
  ModelSpec spec;  // resnet20 1×28×28
  const int64_t batch = 3, eb = 2, rows = batch * eb;
  Dataset d = test::synthetic_dataset(10, seed);
  std::vector<int32_t> train_idx{9, 2, 4, 7, 0, 5, 8};  // 2 steps of 3 (drop-last)
  Normalization norm;
  norm.mean[0] = 0.5f, norm.std[0] = 0.25f;
  AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), 28, 28, 1, norm);
  LrSchedule lr;
  lr.kind = LrKind::cosine, lr.base = 0.2, lr.total = 2;
  const RngKey key{seed, 1, 0, 0, 3, 0};
  const float smoothing = 0.1f, clip_norm = 2.0f;

  // Reference: the step written out by hand.
  Ctx cr(Device::cpu, 2);
  auto mr = create_model(spec, rows, Device::cpu);
  Sgd sr(SgdConfig{0.9f, true, 5e-4f});
  sr.declare_state(mr->state, mr->params);
  GradClip clip(clip_norm);
  clip.declare_workspace(mr->work);
  Tensor lr_t;
  mr->work.add(&lr_t, Shape{1}, DType::f32);
  mr->commit(cr);
  mr->init_params(cr, seed);
  std::vector<int32_t> order, gathered(batch);
  epoch_permutation(key, int64_t(train_idx.size()), order);
  std::vector<int64_t> want_pairs(kPairs, 0);
  std::vector<ImageDraws> draws(batch);
  for (int64_t s = 0; s < 2; ++s) {
    for (int64_t b = 0; b < batch; ++b) gathered[size_t(b)] = train_idx[size_t(order[size_t(s * batch + b)])];
    for (int c = 0; c < eb; ++c) {
      RngKey k = key;
      k.copy = uint32_t(c);
      Tensor out(mr->input.f32() + size_t(c * batch) * 28 * 28, Shape{batch, 28, 28, 1}, DType::f32);
      augment_batch(cr, plan,
                    {.images = Tensor(d.images.data(), Shape{d.n, 28, 28, 1}, DType::u8),
                     .indices = Tensor(gathered.data(), Shape{batch}, DType::i32),
                     .key = k,
                     .out = out,
                     .draws = draws.data()});
      count_pairs(draws.data(), int(batch), want_pairs.data());
      for (int64_t b = 0; b < batch; ++b) mr->labels.i32()[c * batch + b] = d.labels[size_t(gathered[size_t(b)])];
    }
    mr->forward(cr, rows, true, Tensor{});  // ResNet-20 draws nothing from the step key
    softmax_ce_forward_backward(cr, SoftmaxCEParams{smoothing}, {.logits = mr->head.logits, .labels = mr->labels,
                                                                 .loss = mr->loss, .dlogits = mr->head.dlogits,
                                                                 .correct = mr->correct});
    mr->backward(cr, rows);
    clip.compute(cr, mr->params);
    lr_t.f32()[0] = float(lr.at(s));
    sr.step(cr, lr_t, &clip.scale());
  }
  const std::vector<uint8_t> want = test::arena_bytes(mr->state);

  for (bool graphs : {false, true}) {
    INFO("cuda_graphs ", graphs);
    Ctx ctx(Device::cpu, 2);
    auto m = create_model(spec, rows, Device::cpu);
    Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
    TrainOptions o{smoothing, clip_norm, int(eb)};
    o.cuda_graphs = graphs;
    Trainer tr(ctx, *m, sgd, o, batch);
    m->init_params(ctx, seed);
    ResidentImages res(ctx, d);
    int64_t iter = 0;
    std::vector<int64_t> pairs(kPairs, 0);
    EpochStats st = tr.train_epoch(res, train_idx, plan, key, lr, iter, pairs.data());
    CHECK(iter == 2);
    CHECK(st.images == 2 * rows);
    CHECK(st.graph_steps == 0);  // the cpu never captures
    CHECK(pairs == want_pairs);
    CHECK(test::arena_bytes(m->state) == want);
  }
}
