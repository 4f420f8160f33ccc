// Training on the GPU against the cpu backend: the optimizers of kernels/sgd.cu and kernels/adam.cu (SGD with Nesterov and
// weight decay excluded per tensor, Adam with decay, gradient-norm clipping as a device scalar) over
// several steps from the same parameters and gradients, and three full ResNet-20 train steps
// (forward, softmax CE, backward, clip, SGD) from the same initialization, in strict fp32 math and in
// tf32 math (budget derived from TF32's 10-bit mantissa). Differences are printed as share of budget.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/runtime/memory.h"
#include "core/rng.h"
#include "engine/ops/softmax_ce.h"
#include "engine/optim/adam.h"
#include "engine/optim/clip.h"
#include "engine/optim/sgd.h"
#include "models/model.h"
#include "tests/support/oracle.h"

namespace aws::test {

namespace {

std::vector<float> randoms(size_t n, uint64_t seed, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = (rand_unit(philox4x32(seed, uint32_t(i), 5).v[0]) * 2.0f - 1.0f) * scale;
  return v;
}

std::vector<float> fetch(Ctx& ctx, const Tensor& t) {
  std::vector<float> v(size_t(t.numel()));
  mem_copy(ctx, v.data(), t.data, t.bytes(), CopyKind::dev_to_host);
  return v;
}

void put(Ctx& ctx, const Tensor& t, const std::vector<float>& v) {
  mem_copy(ctx, t.data, v.data(), t.bytes(), CopyKind::host_to_dev);
}

// Largest |a − b| / (atol + rtol·|a|) over both vectors: ≤ 1 is within budget.
double budget_share(const std::vector<float>& a, const std::vector<float>& b, double atol, double rtol) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])) / (atol + rtol * std::fabs(double(a[i]))));
  return worst;
}

// A parameter set of three tensors (one without decay) with gradients, on one device.
struct ParamSet {
  Arena state, work;
  Tensor p[3], g[3], lr;
  ParamList list;
  explicit ParamSet(Device dev) : state(dev, "state"), work(dev, "work") {
    work.add(&lr, Shape{1}, DType::f32);
    const int64_t sizes[3] = {70000, 37, 1000};
    for (int i = 0; i < 3; ++i) {
      state.add(&p[i], Shape{sizes[i]}, DType::f32);
      work.add(&g[i], Shape{sizes[i]}, DType::f32);
      list.push_back(ParamRef{"t" + std::to_string(i), &p[i], &g[i], i != 1});
    }
  }
};

// Runs `steps` optimizer steps on cpu and cuda with the same gradients; returns the worst share.
template <class Opt, class Cfg>
double run_optimizer(const Cfg& cfg, float clip, int steps, uint64_t seed) {
  Ctx cpu(Device::cpu, 2), gpu(Device::cuda);
  ParamSet a(Device::cpu), b(Device::cuda);
  Opt oa(cfg), ob(cfg);
  oa.declare_state(a.state, a.list);
  ob.declare_state(b.state, b.list);
  std::unique_ptr<GradClip> ca, cb;
  if (clip > 0) {
    ca = std::make_unique<GradClip>(clip), cb = std::make_unique<GradClip>(clip);
    ca->declare_workspace(a.work), cb->declare_workspace(b.work);
  }
  a.state.commit(cpu), a.work.commit(cpu), b.state.commit(gpu), b.work.commit(gpu);
  for (int i = 0; i < 3; ++i) {
    const auto init = randoms(size_t(a.p[i].numel()), seed + i, 1.0f);
    put(cpu, a.p[i], init), put(gpu, b.p[i], init);
  }
  double worst = 0;
  for (int s = 0; s < steps; ++s) {
    for (int i = 0; i < 3; ++i) {
      const auto g = randoms(size_t(a.g[i].numel()), seed + 100 * (s + 1) + i, 0.05f);
      put(cpu, a.g[i], g), put(gpu, b.g[i], g);
    }
    if (clip > 0) {
      ca->compute(cpu, a.list), cb->compute(gpu, b.list);
      const float na = ca->norm(cpu), nb = cb->norm(gpu);
      INFO("step ", s, " clip norm cpu ", na, " cuda ", nb);
      CHECK(na == nb);  // same summation order on both backends
    }
    const std::vector<float> lr{0.1f / float(s + 1)};
    put(cpu, a.lr, lr), put(gpu, b.lr, lr);
    oa.step(cpu, a.lr, ca ? &ca->scale() : nullptr);
    ob.step(gpu, b.lr, cb ? &cb->scale() : nullptr);
    for (int i = 0; i < 3; ++i) worst = std::max(worst, budget_share(fetch(cpu, a.p[i]), fetch(gpu, b.p[i]), 1e-7, 1e-6));
  }
  return worst;
}

}  // namespace

TEST_CASE("cuda optimizers: SGD (momentum, nesterov, decay exclusion), Adam and clipping equal the cpu") {
  const uint64_t seed = test_seed(71);
  INFO("seed ", seed);
  SgdConfig sgd{0.9f, true, 5e-4f};
  double s1 = run_optimizer<Sgd>(sgd, 0.f, 4, seed);
  double s2 = run_optimizer<Sgd>(sgd, 1.0f, 4, seed + 1);  // clipping active: grad norm ≈ 8.4 > 1
  SgdConfig plain{0.9f, false, 0.f};
  double s3 = run_optimizer<Sgd>(plain, 0.f, 3, seed + 2);
  AdamConfig adam;
  adam.weight_decay = 1e-2;
  double s4 = run_optimizer<Adam>(adam, 0.f, 4, seed + 3);
  double s5 = run_optimizer<Adam>(adam, 1.0f, 4, seed + 4);
  std::printf("gpu-vs-cpu optim: share of budget (atol 1e-7, rtol 1e-6): sgd-nesterov-wd %.3g, +clip %.3g, "
              "sgd %.3g, adam-wd %.3g, +clip %.3g\n", s1, s2, s3, s4, s5);
  CHECK(s1 <= 1.0);
  CHECK(s2 <= 1.0);
  CHECK(s3 <= 1.0);
  CHECK(s4 <= 1.0);
  CHECK(s5 <= 1.0);
}

namespace {

// Three ResNet-20 train steps (28×28×1, label smoothing, clip 5, Nesterov SGD) on cpu and on cuda with the
// given math mode and activation dtype, from the same initialization: initial parameters, final
// parameters of both, losses, and the first step's logits.
struct ThreeSteps {
  std::vector<std::string> names;
  std::vector<std::vector<float>> init, cpu, gpu;
  float loss[3][2] = {};
  std::vector<float> logits0[2];
};

ThreeSteps resnet20_three_steps(uint64_t seed, int64_t batch, Ctx::MathMode math, DType act = DType::f32) {
  ModelSpec spec;
  spec.name = "resnet20", spec.h = 28, spec.w = 28, spec.c = 1;
  Ctx cpu(Device::cpu, 0), gpu(Device::cuda);
  gpu.math = math;
  ModelSpec gpu_spec = spec;
  gpu_spec.act = act;
  auto ma = create_model(spec, batch, Device::cpu), mb = create_model(gpu_spec, batch, Device::cuda);
  SgdConfig cfg{0.9f, true, 5e-4f};
  Sgd oa(cfg), ob(cfg);
  oa.declare_state(ma->state, ma->params), ob.declare_state(mb->state, mb->params);
  GradClip ca(5.0f), cb(5.0f);
  ca.declare_workspace(ma->work), cb.declare_workspace(mb->work);
  Tensor lra, lrb;
  ma->work.add(&lra, Shape{1}, DType::f32), mb->work.add(&lrb, Shape{1}, DType::f32);
  ma->commit(cpu), mb->commit(gpu);
  put(cpu, lra, {0.05f}), put(gpu, lrb, {0.05f});
  ma->init_params(cpu, seed), mb->init_params(gpu, seed);
  ThreeSteps r;
  for (auto& p : ma->params) r.names.push_back(p.name), r.init.push_back(fetch(cpu, *p.param));
  std::vector<int32_t> labels(static_cast<size_t>(batch));
  SoftmaxCEParams ce{0.1f};
  for (int s = 0; s < 3; ++s) {
    const auto x = randoms(size_t(ma->input.numel()), seed + 7 * s, 1.5f);
    for (int64_t i = 0; i < batch; ++i) labels[size_t(i)] = int32_t(rand_below(philox4x32(seed, uint32_t(i), 40 + s).v[0], 10));
    put(cpu, ma->input, x), put(gpu, mb->input, x);
    mem_copy(cpu, ma->labels.data, labels.data(), labels.size() * 4, CopyKind::host_to_dev);
    mem_copy(gpu, mb->labels.data, labels.data(), labels.size() * 4, CopyKind::host_to_dev);
    Model* m[2] = {ma.get(), mb.get()};
    Ctx* c[2] = {&cpu, &gpu};
    Sgd* o[2] = {&oa, &ob};
    GradClip* cl[2] = {&ca, &cb};
    Tensor* lr[2] = {&lra, &lrb};
    for (int k = 0; k < 2; ++k) {
      m[k]->forward(*c[k], batch, true, Tensor{});  // ResNet-20 draws nothing from the step key
      if (s == 0) r.logits0[k] = fetch(*c[k], m[k]->head.logits);
      softmax_ce_forward_backward(*c[k], ce, {.logits = m[k]->head.logits, .labels = m[k]->labels, .loss = m[k]->loss,
                                              .dlogits = m[k]->head.dlogits, .correct = m[k]->correct});
      m[k]->backward(*c[k], batch);
      cl[k]->compute(*c[k], m[k]->params);
      o[k]->step(*c[k], *lr[k], &cl[k]->scale());
      mem_copy(*c[k], &r.loss[s][k], m[k]->loss.data, 4, CopyKind::dev_to_host);
    }
  }
  for (size_t i = 0; i < ma->params.size(); ++i)
    r.cpu.push_back(fetch(cpu, *ma->params[i].param)), r.gpu.push_back(fetch(gpu, *mb->params[i].param));
  return r;
}

// Normwise share of budget for one tensor's update Δ = p_final − p_init: max|Δgpu − Δcpu| over
// (tau·max|Δcpu| + atol).
double update_share(const std::vector<float>& init, const std::vector<float>& a, const std::vector<float>& b,
                    double tau, double atol) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::fabs(double(a[i]) - double(init[i])));
  }
  return diff / (tau * scale + atol);
}

// Each step's loss within tau (relative) of the cpu's; returns the worst share of tau.
double check_losses(const ThreeSteps& r, double tau, const char* mode) {
  double worst = 0;
  for (int s = 0; s < 3; ++s) {
    INFO("step ", s, " loss cpu ", r.loss[s][0], " cuda ", mode, " ", r.loss[s][1]);
    CHECK(std::isfinite(r.loss[s][1]));
    const double share = std::fabs(r.loss[s][0] - r.loss[s][1]) / (tau * std::fabs(r.loss[s][0]));
    CHECK(share <= 1.0);
    worst = std::max(worst, share);
  }
  return worst;
}

}  // namespace

TEST_CASE("cuda train step: three ResNet-20 steps (clip + nesterov SGD) follow the cpu") {
  const uint64_t seed = test_seed(72);
  INFO("seed ", seed);
  const int64_t batch = 16;
  ThreeSteps r = resnet20_three_steps(seed, batch, Ctx::MathMode::strict);
  for (int s = 0; s < 3; ++s) {
    INFO("step ", s, " loss cpu ", r.loss[s][0], " cuda ", r.loss[s][1]);
    CHECK(std::fabs(r.loss[s][0] - r.loss[s][1]) <= 1e-4 * (1 + std::fabs(r.loss[s][0])));
  }
  double worst = 0;
  for (size_t i = 0; i < r.names.size(); ++i) {
    const double share = budget_share(r.cpu[i], r.gpu[i], 1e-4, 1e-3);
    INFO(r.names[i], " share ", share);
    CHECK(share <= 1.0);
    worst = std::max(worst, share);
  }
  std::printf("gpu-vs-cpu train-step resnet20 28x28x1 batch %lld, 3 steps: worst parameter share of budget "
              "(atol 1e-4, rtol 1e-3) %.3g over %zu tensors\n", (long long)batch, worst, r.names.size());
}

// TF32 keeps 10 mantissa bits: each input of a convolution/matmul product is off by at most u = 2^-10
// relative (truncation; 2^-11 if rounded), so a product by 2u, and a dot product by 2u·Σ|a·b|. Along
// ResNet-20's 20 weight layers the relative errors add, so each step's loss (forward of steps 2 and 3
// runs on parameters updated with tf32 gradients) must agree with the cpu within tau = 2u·20 ≈ 3.9%
// relative; a wrong algorithm, layout or math mode gives O(1) differences. The normwise parameter-update
// distance is printed only: on the H100 (2026-11-25) it was 8.5·tau for tf32 but also 7.1·tau for the
// strict fp32 run on the same seed, so that metric does not isolate TF32 error (tensors whose
// three-step update is tiny dominate) and is not asserted yet.
TEST_CASE("cuda train step in tf32 math: three ResNet-20 steps follow the cpu within the TF32 budget") {
  const uint64_t seed = test_seed(73);
  INFO("seed ", seed);
  const int64_t batch = 16;
  const double u = std::ldexp(1.0, -10), tau = 2 * u * 20, atol = 1e-6;
  ThreeSteps r = resnet20_three_steps(seed, batch, Ctx::MathMode::tf32);
  const double loss_share = check_losses(r, tau, "tf32");
  double worst = 0;
  for (size_t i = 0; i < r.names.size(); ++i) worst = std::max(worst, update_share(r.init[i], r.cpu[i], r.gpu[i], tau, atol));
  ThreeSteps strict = resnet20_three_steps(seed, batch, Ctx::MathMode::strict);
  double worst_strict = 0;
  for (size_t i = 0; i < strict.names.size(); ++i)
    worst_strict = std::max(worst_strict, update_share(strict.init[i], strict.cpu[i], strict.gpu[i], tau, atol));
  std::printf("gpu-vs-cpu train-step tf32 resnet20 28x28x1 batch %lld, 3 steps: worst loss share of budget "
              "(tau 2*2^-10*20 = %.3g relative) %.3g; normwise update distance / tau (not asserted) tf32 %.3g, "
              "strict fp32 %.3g over %zu tensors; step-3 losses cpu %.6f tf32 %.6f\n",
              (long long)batch, tau, loss_share, worst, worst_strict, r.names.size(), r.loss[2][0], r.loss[2][1]);
}

// The half-precision mode (ModelSpec::act = bf16, TF32 for the f32 classifier) against the cpu in f32.
// bf16 keeps 8 significant bits: every stored activation, the network input and each convolution's
// weight copy are rounded once, u = 2^-8 relative each, so one layer adds at most about 3u (input,
// weights, output) to the relative error of what it passes on, and ResNet-20's 20 weight layers
// tau = 3u·20 ≈ 23%. Asserted: the first forward's logits (before any update, so only the
// forward's rounding shows; normwise relative distance, where a wrong layout or type gives ≥ 1) and
// each step's loss within tau; the normwise parameter-update distance is printed, as for tf32.
TEST_CASE("cuda train step in bf16: three ResNet-20 steps follow the cpu within the bf16 budget") {
  const uint64_t seed = test_seed(74);
  INFO("seed ", seed);
  const int64_t batch = 16;
  const double u = std::ldexp(1.0, -8), tau = 3 * u * 20, atol = 1e-6;
  ThreeSteps r = resnet20_three_steps(seed, batch, Ctx::MathMode::tf32, DType::bf16);
  double num = 0, den = 0;
  for (size_t i = 0; i < r.logits0[0].size(); ++i) {
    const double d = double(r.logits0[1][i]) - double(r.logits0[0][i]);
    num += d * d;
    den += double(r.logits0[0][i]) * double(r.logits0[0][i]);
  }
  const double logits_rel = std::sqrt(num / den);
  INFO("first-step logits normwise relative distance ", logits_rel, " budget ", tau);
  CHECK(logits_rel <= tau);
  const double loss_share = check_losses(r, tau, "bf16");
  double worst = 0;
  for (size_t i = 0; i < r.names.size(); ++i) worst = std::max(worst, update_share(r.init[i], r.cpu[i], r.gpu[i], tau, atol));
  std::printf("gpu-vs-cpu train-step bf16 resnet20 28x28x1 batch %lld, 3 steps: first logits normwise distance %.3g "
              "(%.1f%% of tau 3*2^-8*20 = %.3g), worst loss share %.3g; normwise update distance / tau (not "
              "asserted) %.3g over %zu tensors; step-3 losses cpu %.6f bf16 %.6f\n",
              (long long)batch, logits_rel, 100 * logits_rel / tau, tau, loss_share, worst, r.names.size(),
              r.loss[2][0], r.loss[2][1]);
}

}  // namespace aws::test
