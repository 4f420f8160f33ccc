// Optimizer state lives in the state arena: snapshot → steps → restore → the same steps replays the
// parameters, momentum buffers, Adam moments and step count bit for bit (what stage 2 relies on).
// Also: an unclipped scale of exactly 1 changes nothing, and bad configurations are UserErrors.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/optim/adam.h"
#include "engine/optim/clip.h"
#include "engine/optim/sgd.h"
#include "tests/support/oracle.h"

using namespace aws;

namespace {

struct Model {
  Arena state{Device::cpu, "state"}, ws{Device::cpu, "workspace"};
  Tensor w, b, gw, gb;
  ParamList params;
  std::unique_ptr<Optimizer> opt;
  GradClip clip{1.0f};

  Model(Ctx& ctx, std::unique_ptr<Optimizer> o, uint64_t seed) : opt(std::move(o)) {
    state.add(&w, Shape{8, 3, 3, 4}, DType::f32);
    state.add(&b, Shape{8}, DType::f32);
    ws.add(&gw, w.shape, DType::f32);
    ws.add(&gb, b.shape, DType::f32);
    params = {{"w", &w, &gw, true}, {"b", &b, &gb, false}};
    opt->declare_state(state, params);
    clip.declare_workspace(ws);
    state.commit(ctx);
    ws.commit(ctx);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> N01;
    for (int64_t i = 0; i < w.numel(); ++i) w.f32()[i] = N01(rng);
    for (int64_t i = 0; i < b.numel(); ++i) b.f32()[i] = N01(rng);
  }
  // Deterministic pseudo-gradients for step s, then a clipped step.
  void step(Ctx& ctx, int s) {
    for (int64_t i = 0; i < gw.numel(); ++i) gw.f32()[i] = float((i * 7 + s * 13) % 11) - 5.f + 0.1f * w.f32()[i];
    for (int64_t i = 0; i < gb.numel(); ++i) gb.f32()[i] = float((i + s) % 3) - 1.f;
    clip.compute(ctx, params);
    float lr = 0.05f;
    opt->step(ctx, Tensor(&lr, Shape{1}, DType::f32), &clip.scale());
  }
};

void replay(std::unique_ptr<Optimizer> o) {
  Ctx ctx(Device::cpu, 1);
  Model m(ctx, std::move(o), 3);
  for (int s = 0; s < 3; ++s) m.step(ctx, s);
  Snapshot snap;
  snap.take(ctx, m.state);
  for (int s = 3; s < 7; ++s) m.step(ctx, s);
  std::vector<uint8_t> after(static_cast<uint8_t*>(m.state.base()),
                             static_cast<uint8_t*>(m.state.base()) + m.state.bytes());
  CHECK(std::memcmp(snap.data(), m.state.base(), m.state.bytes()) != 0);
  snap.restore(ctx, m.state);
  for (int s = 3; s < 7; ++s) m.step(ctx, s);
  CHECK(std::memcmp(after.data(), m.state.base(), m.state.bytes()) == 0);
  CHECK(m.clip.norm(ctx) > 1.f);  // the steps were really clipped
  CHECK(m.clip.scale().f32()[0] < 1.f);
}

}  // namespace

TEST_CASE("optim: SGD momentum and Adam state replay bit for bit after snapshot/restore") {
  replay(std::make_unique<Sgd>(SgdConfig{0.9f, true, 1e-4f}));
  replay(std::make_unique<Adam>(AdamConfig{0.9, 0.999, 1e-8, 1e-4}));
}

TEST_CASE("optim: a clipping scale of exactly 1 gives the same update as no clipping") {
  const uint64_t seed = test::test_seed(41);
  INFO("seed ", seed);
  Ctx ctx(Device::cpu, 1);
  Model a(ctx, std::make_unique<Sgd>(SgdConfig{0.9f, false, 5e-4f}), seed);
  for (int s = 0; s < 3; ++s) a.step(ctx, s);  // leaves step 2's gradients in a.gw, a.gb
  float one = 1.f;
  Tensor scale(&one, Shape{1}, DType::f32);
  // Two fresh models with the same gradients: one step with scale 1 and one without.
  Model c(ctx, std::make_unique<Sgd>(SgdConfig{0.9f, false, 5e-4f}), seed);
  Model d(ctx, std::make_unique<Sgd>(SgdConfig{0.9f, false, 5e-4f}), seed);
  for (Model* m : {&c, &d}) {
    std::memcpy(m->gw.data, a.gw.data, a.gw.bytes());
    std::memcpy(m->gb.data, a.gb.data, a.gb.bytes());
  }
  float lr = 0.1f;
  Tensor lr_t(&lr, Shape{1}, DType::f32);
  c.opt->step(ctx, lr_t, &scale);
  d.opt->step(ctx, lr_t);
  CHECK(std::memcmp(c.state.base(), d.state.base(), c.state.bytes()) == 0);
}

TEST_CASE("optim: the learning rate is read from its tensor when the step runs; bad lr tensors are rejected") {
  const uint64_t seed = test::test_seed(42);
  INFO("seed ", seed);
  Ctx ctx(Device::cpu, 1);
  for (int which = 0; which < 2; ++which) {
    auto make = [&]() -> std::unique_ptr<Optimizer> {
      if (which == 0) return std::make_unique<Sgd>(SgdConfig{0.9f, true, 1e-4f});
      return std::make_unique<Adam>(AdamConfig{0.9, 0.999, 1e-8, 1e-4});
    };
    Model a(ctx, make(), seed), b(ctx, make(), seed);
    // a: one buffer rewritten between steps (as the trainer's staged lr is); b: a new tensor per step.
    float staged = 0;
    Tensor lr_a(&staged, Shape{1}, DType::f32);
    const float rates[3] = {0.1f, 0.025f, 0.4f};
    for (int s = 0; s < 3; ++s) {
      for (Model* m : {&a, &b}) {
        for (int64_t i = 0; i < m->gw.numel(); ++i) m->gw.f32()[i] = float((i * 5 + s) % 7) - 3.f;
        for (int64_t i = 0; i < m->gb.numel(); ++i) m->gb.f32()[i] = float((i + 2 * s) % 5) - 2.f;
      }
      staged = rates[s];
      a.opt->step(ctx, lr_a);
      float fresh = rates[s];
      b.opt->step(ctx, Tensor(&fresh, Shape{1}, DType::f32));
    }
    CHECK(std::memcmp(a.state.base(), b.state.base(), a.state.bytes()) == 0);
    // A zero learning rate leaves the parameters (not the optimizer state) unchanged.
    std::vector<float> w0(a.w.f32(), a.w.f32() + a.w.numel());
    staged = 0.f;
    a.opt->step(ctx, lr_a);
    CHECK(std::memcmp(w0.data(), a.w.data, a.w.bytes()) == 0);
    float two[2] = {0.1f, 0.1f};
    int32_t as_int = 1;
    CHECK_THROWS_AS(a.opt->step(ctx, Tensor(two, Shape{2}, DType::f32)), Error);
    CHECK_THROWS_AS(a.opt->step(ctx, Tensor(&as_int, Shape{1}, DType::i32)), Error);
    CHECK_THROWS_AS(a.opt->step(ctx, Tensor(&staged, Shape{1}, DType::f32, Device::cuda)), Error);
  }
}

TEST_CASE("optim: bad optimizer and clipping settings are UserErrors") {
  CHECK_THROWS_AS(Sgd(SgdConfig{1.0f, false, 0.f}), UserError);
  CHECK_THROWS_AS(Sgd(SgdConfig{0.f, true, 0.f}), UserError);
  CHECK_THROWS_AS(Sgd(SgdConfig{0.9f, false, -1.f}), UserError);
  CHECK_THROWS_AS(Adam(AdamConfig{1.0, 0.999, 1e-8, 0}), UserError);
  CHECK_THROWS_AS(Adam(AdamConfig{0.9, 0.999, 0.0, 0}), UserError);
  CHECK_THROWS_AS(GradClip(0.f), UserError);
  Ctx ctx(Device::cpu, 1);
  Arena st(Device::cpu, "state");
  Tensor w, g;
  st.add(&w, Shape{3}, DType::f32);
  Sgd sgd(SgdConfig{});
  ParamList bad{{"w", &w, nullptr, true}};
  CHECK_THROWS_AS(sgd.declare_state(st, bad), Error);
}
