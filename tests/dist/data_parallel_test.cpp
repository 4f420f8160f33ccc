// Data-parallel training (train/trainer.h TrainOptions::comm) under mpirun -np 2: two W = 2 epochs
// give the same bits, and W = 2 stays close to W = 1 on the same global batches.
//
// The tolerance. With mean-gradient averaging, W ranks of b = B/W rows compute exactly W = 1's
// update but for batch-norm: each rank normalizes with the statistics of its own b rows instead of all
// B, so every BN output moves by at most a relative O(1/sqrt(b)) (the statistics' sampling error over
// b images; pixels of one image are correlated, so b, not b·H·W, bounds the effective sample), and so
// do the gradients; summation order adds only float rounding. After s steps the distance between the two
// weight trajectories is then of the order of sqrt(1/b) times the distance travelled. At b = 16 that is
// 0.25 per step at worst; errors of independent steps add in quadrature, not linearly, so over the
// epoch we require ‖w₂ − w₁‖ < 0.5 · ‖w₁ − w₀‖ and print the measured ratio.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "augment/builtin_policies.h"
#include "core/error.h"
#include "engine/optim/sgd.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"
#include "train/trainer.h"
#include "tests/dist/world.h"

using namespace aws;
using aws::test::world;

namespace {

// One epoch of ResNet-20 on `d` with global batch 32; returns the network's weights as floats.
std::vector<float> train_one_epoch(const Dataset& d, Communicator* comm, uint64_t seed, std::vector<float>* init) {
  const int64_t global = 32, ranks = comm ? comm->size() : 1, batch = global / ranks;
  Ctx ctx(Device::cpu, 1);
  ModelSpec spec{"resnet20", 28, 28, 1, 10, 0.1f};
  auto m = create_model(spec, batch, Device::cpu);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  TrainOptions o{0.1f, 3.0f, 1};
  o.comm = comm;
  Trainer tr(ctx, *m, sgd, o, batch);
  m->init_params(ctx, seed);
  auto weights = [&] {
    const float* p = static_cast<const float*>(m->state.base());
    return std::vector<float>(p, p + m->network_state_bytes() / 4);
  };
  if (init) *init = weights();
  ResidentImages res(ctx, d);
  std::vector<int32_t> idx(size_t(d.n));
  for (int64_t i = 0; i < d.n; ++i) idx[size_t(i)] = int32_t(i);
  const AugmentPlan plan = make_augment_plan(builtin_policy("crop-flip"), 28, 28, 1, Normalization{});
  LrSchedule lr;
  lr.base = 0.05;
  lr.total = d.n / global;
  int64_t iter = 0;
  EpochStats st = tr.train_epoch(res, idx, plan, RngKey{seed, 0, 0, 0, 0, 0}, lr, iter);
  CHECK(st.images == (d.n / global) * global);  // counted over all ranks
  CHECK(std::isfinite(st.loss));
  return weights();
}

double distance(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s);
}

}  // namespace

TEST_CASE("data-parallel: W = 2 reruns bit for bit and stays within the BN-derived tolerance of W = 1") {
  const uint64_t seed = test::test_seed(17);
  INFO("seed ", seed);
  REQUIRE(world().size() == 2);
  const Dataset d = test::synthetic_dataset(320, seed);
  std::vector<float> w0;
  const std::vector<float> w2 = train_one_epoch(d, &world(), seed, nullptr);
  const std::vector<float> w2b = train_one_epoch(d, &world(), seed, nullptr);
  const std::vector<float> w1 = train_one_epoch(d, nullptr, seed, &w0);  // every rank alone, W = 1
  CHECK(w2 == w2b);
  const double moved = distance(w1, w0), apart = distance(w2, w1);
  MESSAGE("W=2 vs W=1 after one epoch: distance ", apart, ", W=1 moved ", moved, ", ratio ", apart / moved);
  CHECK(moved > 0);
  CHECK(apart > 0);  // per-rank BN statistics do change the arithmetic
  CHECK(apart < 0.5 * moved);
}

TEST_CASE("data-parallel: CUDA graphs are refused with two ranks, on every rank, naming --cuda-graphs") {
  Ctx ctx(Device::cpu, 1);
  ModelSpec spec{"resnet20", 28, 28, 1, 10, 0.1f};
  auto m = create_model(spec, 16, Device::cpu);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  TrainOptions o{0.1f, 3.0f, 1};
  o.comm = &world();
  o.cuda_graphs = true;
  CHECK_THROWS_WITH_AS(Trainer(ctx, *m, sgd, o, 16), doctest::Contains("--cuda-graphs: not with 2 data-parallel ranks"),
                       UserError);
  o.cuda_graphs = false;
  CHECK_NOTHROW(Trainer(ctx, *m, sgd, o, 16));
}
