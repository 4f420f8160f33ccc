// Models as objects: snapshot → train → restore gives the state arena back bit for bit and a replay
// of the same steps is bit-identical (determinism); unknown names are user errors naming --model;
// parameter counts; the network part of the state arena; model-file save/load round trip.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "engine/runtime/arena.h"
#include "core/error.h"
#include "engine/runtime/memory.h"
#include "engine/optim/sgd.h"
#include "models/model.h"
#include "train/model_file.h"
#include "train/trainer.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"

using namespace aws;
using aws::test::arena_bytes;
using aws::test::synthetic_dataset;

namespace {

struct Rig {
  Ctx ctx{Device::cpu};
  std::unique_ptr<Model> model;
  Sgd sgd{SgdConfig{0.9f, true, 5e-4f}};
  std::unique_ptr<Trainer> trainer;
  Rig(const ModelSpec& spec, int64_t batch, uint64_t seed) {
    model = create_model(spec, batch, Device::cpu);
    trainer = std::make_unique<Trainer>(ctx, *model, sgd, TrainOptions{0.05f, 3.0f, 1}, batch);
    model->init_params(ctx, seed);
  }
};

}  // namespace

TEST_CASE("model: snapshot, train 3 steps, restore is bit-exact; replaying the steps is deterministic") {
  const uint64_t seed = aws::test::test_seed(7);
  INFO("seed ", seed);
  ModelSpec spec;  // resnet20, 1×28×28
  const int64_t batch = 8;
  Rig r(spec, batch, seed);
  Dataset d = synthetic_dataset(3 * batch, seed);
  ResidentImages res(r.ctx, d);
  std::vector<int32_t> idx(size_t(d.n));
  for (int64_t i = 0; i < d.n; ++i) idx[size_t(i)] = int32_t(i);
  Normalization norm;
  norm.mean[0] = 0.5f;
  norm.std[0] = 0.25f;
  AugmentPlan plan = make_augment_plan(builtin_policy("crop-flip"), 28, 28, 1, norm);
  LrSchedule lr;
  lr.base = 0.1;

  Snapshot snap;
  snap.take(r.ctx, r.model->state);
  const std::vector<uint8_t> start = arena_bytes(r.model->state);
  int64_t iter = 0;
  RngKey key{seed, 0, 0, 0, 0, 0};
  r.trainer->train_epoch(res, idx, plan, key, lr, iter);
  CHECK(iter == 3);
  const std::vector<uint8_t> after = arena_bytes(r.model->state);
  REQUIRE(after.size() == start.size());
  CHECK(after != start);  // training moved the parameters, BN statistics and momentum buffers

  snap.restore(r.ctx, r.model->state);
  r.ctx.sync();
  CHECK(arena_bytes(r.model->state) == start);

  iter = 0;
  r.trainer->train_epoch(res, idx, plan, key, lr, iter);
  const std::vector<uint8_t> replay = arena_bytes(r.model->state);
  size_t first_diff = 0;
  while (first_diff < replay.size() && replay[first_diff] == after[first_diff]) ++first_diff;
  INFO("first differing byte ", first_diff, " of ", replay.size());
  CHECK(replay == after);
}

TEST_CASE("model: unknown names are user errors naming --model") {
  for (const char* name : {"resnet21", "wrn-17-2", "wrn-28-0", "wrn-28-10x", "vgg16", ""}) {
    ModelSpec spec;
    spec.name = name;
    INFO("name '", name, "'");
    try {
      create_model(spec, 4, Device::cpu);
      FAIL("no error");
    } catch (const UserError& e) {
      std::string msg = e.what();
      CHECK(msg.find("--model") != std::string::npos);
      CHECK(msg.find("unknown model") != std::string::npos);
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  ModelSpec spec;
  CHECK_THROWS_AS(create_model(spec, 0, Device::cpu), UserError);
  for (const char* ok : {"resnet18", "resnet20", "resnet32", "wrn-28-10", "wrn-40-2", "wrn-16-2"}) {
    spec.name = ok;
    CHECK_NOTHROW(create_model(spec, 2, Device::cpu));
  }
}

TEST_CASE("model: parameter counts and the network part of the state arena") {
  // ResNet-20 with 1×1 conv + BN shortcuts: 272,474 parameters on 3 channels, 272,186 on 1 channel
  // (the stem's 3×3×(3−1)×16 = 288 fewer); the oracle tests compare every count with PyTorch's twin.
  ModelSpec spec;
  spec.c = 3;
  spec.h = spec.w = 32;
  CHECK(create_model(spec, 2, Device::cpu)->num_params() == 272474);
  spec.c = 1;
  spec.h = spec.w = 28;
  auto m = create_model(spec, 2, Device::cpu);
  CHECK(m->num_params() == 272186);

  // Network bytes = every parameter and BN statistic in declaration order, each starting on a 256-byte
  // boundary of the arena (the last one unpadded).
  auto align = [](size_t b) { return (b + 255) / 256 * 256; };
  size_t expect = 0;
  auto place = [&](size_t& end, size_t bytes) { end = align(end) + bytes; };
  for (auto& p : m->params) {
    place(expect, size_t(p.param->bytes()));
    if (p.name.ends_with("bn.bias")) {  // running mean, var follow γ, β
      place(expect, size_t(p.param->bytes()));
      place(expect, size_t(p.param->bytes()));
    }
  }
  CHECK(m->network_state_bytes() == expect);
  CHECK(m->state.bytes() == expect);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  sgd.declare_state(m->state, m->params);  // momentum buffers follow the network part
  CHECK(m->network_state_bytes() == expect);
  size_t with_opt = expect;
  for (auto& p : m->params) place(with_opt, size_t(p.param->bytes()));
  CHECK(m->state.bytes() == with_opt);
}

TEST_CASE("model: ImageNet ResNets have torchvision's parameter counts; zero_init_residual zeroes each block's last γ") {
  ModelSpec spec;
  spec.c = 3;
  spec.h = spec.w = 224;
  spec.classes = 1000;
  spec.name = "resnet50";
  CHECK(create_model(spec, 1, Device::cpu)->num_params() == 25557032);   // torchvision resnet50: 25.6 M
  spec.name = "resnet200";
  CHECK(create_model(spec, 1, Device::cpu)->num_params() == 64673832);   // ResNet-200 (same blocks): 64.7 M
  spec.name = "resnet50";
  spec.h = spec.w = 32;
  spec.classes = 10;
  for (bool zero : {false, true}) {
    spec.zero_init_residual = zero;
    Ctx ctx(Device::cpu);
    auto m = create_model(spec, 1, Device::cpu);
    m->commit(ctx);
    m->init_params(ctx, 7);
    int last = 0, others = 0;
    for (const ParamRef& p : m->params) {
      if (!p.name.ends_with("bn.weight")) continue;
      const float* g = static_cast<const float*>(p.param->data);
      const bool block_end = p.name.ends_with(".3.bn.weight");
      last += block_end;
      others += !block_end;
      INFO(p.name);
      CHECK(g[0] == (zero && block_end ? 0.f : 1.f));
    }
    CHECK(last == 16);  // 3 + 4 + 6 + 3 blocks
    CHECK(others == 1 + 16 * 2 + 4);  // stem, two per block, four projections
  }
}

TEST_CASE("model: every parameter gradient lies in one contiguous gradient arena, in parameter order") {
  // The seam a data-parallel step needs: one all-reduce over grads.base(), grads.bytes() covers every
  // gradient, and nothing else is in that block (activations stay in the workspace).
  for (const char* name : {"resnet20", "wrn-10-2", "resnet18"}) {
    CAPTURE(name);
    ModelSpec spec;
    spec.name = name;
    auto m = create_model(spec, 4, Device::cpu);
    Ctx ctx(Device::cpu, 1);
    m->commit(ctx);
    const auto* base = static_cast<const uint8_t*>(m->grads.base());
    size_t end = 0, expect = 0;
    for (const ParamRef& p : m->params) {
      const auto* g = static_cast<const uint8_t*>(p.grad->data);
      REQUIRE(g >= base);
      const size_t off = size_t(g - base);
      CHECK(off == (end + 255) / 256 * 256);  // next 256-byte slot after the previous gradient
      CHECK(p.grad->dtype == DType::f32);
      end = off + size_t(p.grad->bytes());
      expect += size_t(p.grad->bytes());
    }
    CHECK((end + 255) / 256 * 256 == m->grads.bytes());
    CHECK(expect == size_t(m->num_params()) * 4);
    CHECK(m->head.logits.data != nullptr);
    const auto* logits = static_cast<const uint8_t*>(m->head.logits.data);
    CHECK((logits < base || logits >= base + m->grads.bytes()));
  }
}

TEST_CASE("model: a model file round trip restores the network (and optimizer) state") {
  const uint64_t seed = aws::test::test_seed(11);
  INFO("seed ", seed);
  namespace fs = std::filesystem;
  const test::TempDir tmp("aws_model_test");
  const fs::path dir = tmp.path;
  ModelSpec spec;
  spec.name = "resnet20";
  Rig a(spec, 4, seed);
  // Make the optimizer part non-zero: a short training run.
  Dataset d = synthetic_dataset(8, seed);
  ResidentImages res(a.ctx, d);
  std::vector<int32_t> idx{0, 1, 2, 3, 4, 5, 6, 7};
  Normalization norm;
  norm.mean[0] = 0.3f;
  norm.std[0] = 0.4f;
  AugmentPlan plan = make_augment_plan(builtin_policy("crop-flip"), 28, 28, 1, norm);
  LrSchedule lr;
  int64_t iter = 0;
  a.trainer->train_epoch(res, idx, plan, RngKey{seed}, lr, iter);

  ModelFileInfo info;
  info.spec = spec;
  info.dataset = "fashion-mnist";
  info.norm = norm;
  info.extra = {{"epochs", 1}};
  const std::string net_path = (dir / "net.ckpt").string(), full_path = (dir / "full.ckpt").string();
  save_model_file(a.ctx, net_path, *a.model, info, false);
  save_model_file(a.ctx, full_path, *a.model, info, true);

  ModelFileInfo back = read_model_file_info(net_path);
  CHECK(back.spec.name == "resnet20");
  CHECK(back.spec.h == 28);
  CHECK(back.spec.c == 1);
  CHECK(back.spec.classes == 10);
  CHECK(back.dataset == "fashion-mnist");
  CHECK(back.norm.mean[0] == norm.mean[0]);
  CHECK(back.norm.std[0] == norm.std[0]);
  CHECK(back.network_bytes == a.model->network_state_bytes());

  const size_t nb = a.model->network_state_bytes();
  const std::vector<uint8_t> want = arena_bytes(a.model->state);
  {
    Rig b(back.spec, 4, seed + 1);  // different init: the load must overwrite it
    load_model_file(b.ctx, net_path, *b.model);
    auto got = arena_bytes(b.model->state);
    CHECK(std::memcmp(got.data(), want.data(), nb) == 0);
  }
  {
    Rig c(back.spec, 4, seed + 2);
    load_model_file(c.ctx, full_path, *c.model);
    CHECK(arena_bytes(c.model->state) == want);
  }
}

namespace {

// A source shaped like a streamed one: each fetch copies the step's images into one buffer of its own,
// in batch order (ImageRows::in_order), as a JPEG folder's decoder would.
class GatheredImages final : public BatchSource {
 public:
  GatheredImages(const Dataset& d, int64_t rows)
      : d_(d), buf_(size_t(rows) * size_t(d.h * d.w * d.c)),
        images_(buf_.data(), Shape{rows, d.h, d.w, d.c}, DType::u8, Device::cpu) {}
  const Dataset& dataset() const override { return d_; }
  BatchImages fetch(Ctx&, const int32_t* idx, int64_t n, const FetchKey&) const override {
    const size_t img = size_t(d_.h * d_.w * d_.c);
    REQUIRE(size_t(n) * img <= buf_.size());
    for (int64_t b = 0; b < n; ++b)
      std::memcpy(buf_.data() + size_t(b) * img, d_.images.data() + size_t(idx[b]) * img, img);
    ++fetches;
    return {&images_, ImageRows::in_order};
  }
  mutable int64_t fetches = 0;

 private:
  const Dataset& d_;
  mutable std::vector<uint8_t> buf_;
  Tensor images_;
};

}  // namespace

TEST_CASE("batch source: a batch gathered in order trains and evaluates exactly as the resident dataset") {
  const uint64_t seed = aws::test::test_seed(11);
  INFO("seed ", seed);
  ModelSpec spec;  // resnet20, 1×28×28
  const int64_t batch = 8;
  Dataset d = synthetic_dataset(4 * batch + 3, seed);  // a partial last batch, dropped in training
  std::vector<int32_t> idx(size_t(d.n));
  for (int64_t i = 0; i < d.n; ++i) idx[size_t(i)] = int32_t(d.n - 1 - i);  // not the identity
  Normalization norm;
  norm.mean[0] = 0.4f;
  norm.std[0] = 0.3f;
  AugmentPlan plan = make_augment_plan(builtin_policy("trivialaugment"), 28, 28, 1, norm);
  LrSchedule lr;
  lr.base = 0.05;
  Rig a(spec, batch, seed), b(spec, batch, seed);
  ResidentImages resident(a.ctx, d);
  GatheredImages gathered(d, batch);
  std::vector<int64_t> pairs_a(kPairs, 0), pairs_b(kPairs, 0);
  for (uint32_t e = 0; e < 2; ++e) {
    int64_t ia = 0, ib = 0;
    const EpochStats sa = a.trainer->train_epoch(resident, idx, plan, RngKey{seed, 0, 0, 0, e}, lr, ia, pairs_a.data());
    const EpochStats sb = b.trainer->train_epoch(gathered, idx, plan, RngKey{seed, 0, 0, 0, e}, lr, ib, pairs_b.data());
    CHECK(sa.loss == sb.loss);
    CHECK(sa.acc == sb.acc);
  }
  CHECK(gathered.fetches == 2 * (d.n / batch));
  CHECK(pairs_a == pairs_b);
  CHECK(arena_bytes(a.model->state) == arena_bytes(b.model->state));
  CHECK(a.trainer->evaluate(resident, idx, norm) == b.trainer->evaluate(gathered, idx, norm));
  CHECK(a.trainer->evaluate_augmented(resident, idx, plan, RngKey{seed, 3}) ==
        b.trainer->evaluate_augmented(gathered, idx, plan, RngKey{seed, 3}));
}
