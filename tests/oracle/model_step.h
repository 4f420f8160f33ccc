// Shared by the whole-model oracle tests: one full training step of one of our networks (forward,
// softmax-CE with label smoothing, backward, gradient-norm clipping, SGD Nesterov with decay excluded
// on BN/biases) against its PyTorch twin (bench/torch_models.py) run in float64 from the same weights,
// running statistics and batch. Every tensor is compared by relative error, and the share of its
// tolerance is printed, so a drift shows before it fails.
// Float32 against float64 has one discrete failure mode: a pre-activation within rounding of 0 takes
// the other side of a ReLU, and every gradient below that layer then differs by ~1e-3. A failure that
// starts abruptly at one depth with the forward quantities (logits, running statistics) still exact is
// that, not a broken layer: the seeds and batch sizes of the tests are ones without such a tie.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "engine/runtime/memory.h"
#include "engine/ops/softmax_ce.h"
#include "engine/optim/clip.h"
#include "engine/optim/sgd.h"
#include "models/model.h"
#include "tests/support/oracle.h"

namespace aws::test {

struct StepTolerance {
  double forward = 2e-5;   // logits, loss, running statistics, updated parameters
  double grad = 1e-4;      // every gradient and every parameter update (p_new − p_old)
  // > 0: PyTorch also runs the step in float32, and a tensor passes when its error against the
  // float64 reference is within this multiple of PyTorch's own float32 error (or the tolerances
  // above). For deep networks on small inputs, where BN over few values makes the float32 step
  // ill-conditioned (ResNet-50: PyTorch's own float32 gradients are ~2% from its float64 ones).
  double float32_ceiling = 0;
};

// The step as PyTorch runs it, in float64 (and, with CEILING, again in float32 under the prefix
// "f32:"). Inputs: x (NCHW), y, p.<name> (OIHW convs), b.<name> (BN
// buffers), decay.<name>, cfg = [lr, momentum, wd, clip, smoothing, bn_momentum].
inline const char* kStepTorch = R"(
import sys, torch, numpy as np
import torch.nn.functional as F
sys.path.insert(0, SRC + '/bench')
import torch_models as tm
torch.backends.mkldnn.enabled = False
cfg = I['cfg']
lr, mom, wd, clip, ls, bnm = (float(v) for v in cfg)
c_in = I['x'].shape[1]
def step(dt, pre):
    net = tm.make(NAME, c_in, CLASSES, bnm).to(dt)
    sd = net.state_dict()
    for k in list(sd.keys()):
        if k.endswith('num_batches_tracked'):
            continue
        src = I[('b.' if ('running_' in k) else 'p.') + k]
        assert tuple(src.shape) == tuple(sd[k].shape), (k, src.shape, sd[k].shape)
        sd[k] = torch.from_numpy(src.astype(np.float64)).to(dt)
    net.load_state_dict(sd)
    names = [n for n, _ in net.named_parameters()]
    assert sorted(names) == sorted(k[2:] for k in I if k.startswith('p.')), 'parameter names differ'
    net.train()
    x = torch.from_numpy(I['x'].astype(np.float64)).to(dt)
    y = torch.from_numpy(I['y'].astype(np.int64))
    logits = net(x)
    loss = F.cross_entropy(logits, y, label_smoothing=ls)
    loss.backward()
    params = dict(net.named_parameters())
    for n, p in params.items():
        O[pre + 'g.' + n] = p.grad.detach().double().numpy().copy()
    norm = torch.nn.utils.clip_grad_norm_(list(params.values()), clip)
    groups = [{'params': [p for n, p in params.items() if I['decay.' + n][0]], 'weight_decay': wd},
              {'params': [p for n, p in params.items() if not I['decay.' + n][0]], 'weight_decay': 0.0}]
    opt = torch.optim.SGD(groups, lr=lr, momentum=mom, nesterov=True)
    opt.step()
    for n, p in params.items():
        O[pre + 'p.' + n] = p.detach().double().numpy()
    for k, v in net.state_dict().items():
        if 'running_' in k:
            O[pre + 'b.' + k] = v.double().numpy()
    O[pre + 'logits'] = logits.detach().double().numpy()
    O[pre + 'loss'] = np.array([loss.item()])
    O[pre + 'norm'] = np.array([float(norm)])
    O['nparams'] = np.array([sum(p.numel() for p in params.values())], dtype=np.int64)
step(torch.float64, '')
if CEILING:
    step(torch.float32, 'f32:')
)";

inline std::vector<float> host_copy(Ctx& ctx, const Tensor& t) {
  std::vector<float> v(size_t(t.numel()));
  mem_copy(ctx, v.data(), t.data, t.bytes(), CopyKind::dev_to_host);
  ctx.sync();
  return v;
}

// OHWI (ours) → OIHW (PyTorch); other tensors keep their shape.
inline Array to_torch_layout(const std::string& name, const Tensor& t, const std::vector<float>& v) {
  if (!name.ends_with("conv.weight")) {
    std::vector<int64_t> shape(t.shape.d.begin(), t.shape.d.begin() + t.shape.rank);
    return array_f32(shape, v.data());
  }
  const int64_t O = t.dim(0), H = t.dim(1), W = t.dim(2), C = t.dim(3);
  std::vector<float> o(v.size());
  for (int64_t a = 0; a < O; ++a)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        for (int64_t c = 0; c < C; ++c) o[size_t(((a * C + c) * H + h) * W + w)] = v[size_t(((a * H + h) * W + w) * C + c)];
  return array_f32({O, C, H, W}, o.data());
}

// The BN running mean/var that follow γ and β in the state arena (layers.cpp declares γ, β, mean, var
// in that order; the arena aligns each tensor to 256 bytes).
inline Tensor bn_buffer(const ParamRef& beta, int which) {
  const size_t bytes = size_t(beta.param->bytes());
  const size_t step = (bytes + 255) / 256 * 256;
  auto* p = static_cast<uint8_t*>(beta.param->data) + step * size_t(which + 1);
  return Tensor(p, beta.param->shape, DType::f32, beta.param->device);
}

inline double norm2(const std::vector<double>& v) {
  double s = 0;
  for (double e : v) s += e * e;
  return std::sqrt(s);
}

// Passes when ‖ours − ref‖ ≤ tol·‖ref‖ + floor. The floor covers tensors whose reference is (near)
// zero by construction (a BN β feeding only other BNs has an exactly zero gradient) and the float32
// rounding of a parameter when its tiny update is read back as p_new − p_old.
struct Checker {
  double worst_share = 0;
  std::string worst;
  // `ceiling` (> 0): an error this large is also allowed (a multiple of PyTorch's own float32 error).
  void check(const std::string& what, const std::vector<double>& ours, const std::vector<double>& ref, double tol,
             double floor = 0, double ceiling = 0) {
    REQUIRE(ours.size() == ref.size());
    Compare c = compare(ours.data(), ref.data(), int64_t(ref.size()));
    std::vector<double> diff(ref.size());
    for (size_t i = 0; i < ref.size(); ++i) diff[i] = ours[i] - ref[i];
    const double err = norm2(diff), allowed = std::max(tol * norm2(ref) + floor, ceiling);
    const double share = allowed > 0 ? err / allowed : (err > 0 ? 1e9 : 0);
    std::printf("  %-44s rel %.2e  (%5.1f%% of tolerance)\n", what.c_str(), c.rel, 100.0 * share);
    if (share > worst_share) worst_share = share, worst = what;
    INFO(what, ": error ", err, " > allowed ", allowed, " (rel ", c.rel, ", tol ", tol, ", floor ", floor,
         ", worst element ", c.worst, ", max abs ", c.max_abs, ")");
    CHECK(err <= allowed);
  }
};

inline std::vector<double> to_f64(const std::vector<float>& v) { return {v.begin(), v.end()}; }

inline double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

// Runs the step on `spec` with `batch` images and checks it against PyTorch.
inline void check_train_step(const ModelSpec& spec, int64_t batch, uint64_t seed, StepTolerance tol) {
  INFO("model ", spec.name, " seed ", seed);
  const float lr = 0.1f, momentum = 0.9f, wd = 5e-4f, clip_norm = 3.0f, smoothing = 0.05f;
  Ctx ctx(Device::cpu);
  auto model = create_model(spec, batch, Device::cpu);
  Sgd sgd(SgdConfig{momentum, true, wd});
  sgd.declare_state(model->state, model->params);
  GradClip clip(clip_norm);
  clip.declare_workspace(model->work);
  model->commit(ctx);
  model->init_params(ctx, seed);

  // Perturb the BN γ/β and running statistics so that they are not the trivial 1/0 of the init.
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::uniform_real_distribution<float> ud(0.5f, 1.5f);
  for (auto& p : model->params) {
    if (p.name.ends_with("bn.weight") || p.name.ends_with("fc.bias")) {
      std::vector<float> v(size_t(p.param->numel()));
      for (auto& e : v) e = p.name.ends_with("bn.weight") ? ud(rng) : 0.1f * nd(rng);
      mem_copy(ctx, p.param->data, v.data(), p.param->bytes(), CopyKind::host_to_dev);
    }
    if (p.name.ends_with("bn.bias")) {
      std::vector<float> v(size_t(p.param->numel()));
      for (auto& e : v) e = 0.1f * nd(rng);
      mem_copy(ctx, p.param->data, v.data(), p.param->bytes(), CopyKind::host_to_dev);
      Tensor rm = bn_buffer(p, 0), rv = bn_buffer(p, 1);
      for (auto& e : v) e = 0.2f * nd(rng);
      mem_copy(ctx, rm.data, v.data(), rm.bytes(), CopyKind::host_to_dev);
      for (auto& e : v) e = ud(rng);
      mem_copy(ctx, rv.data, v.data(), rv.bytes(), CopyKind::host_to_dev);
    }
  }

  // The fixed batch, written straight into model.input (NHWC), and its labels.
  const int64_t H = spec.h, W = spec.w, C = spec.c;
  std::vector<float> x(size_t(batch * H * W * C));
  for (auto& e : x) e = nd(rng);
  std::vector<int32_t> y(static_cast<size_t>(batch));
  for (auto& e : y) e = int32_t(rng() % uint64_t(spec.classes));
  mem_copy(ctx, model->input.data, x.data(), x.size() * 4, CopyKind::host_to_dev);
  mem_copy(ctx, model->labels.data, y.data(), y.size() * 4, CopyKind::host_to_dev);

  Arrays in;
  std::vector<float> xn(x.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        for (int64_t c = 0; c < C; ++c)
          xn[size_t(((n * C + c) * H + h) * W + w)] = x[size_t(((n * H + h) * W + w) * C + c)];
  in["x"] = array_f32({batch, C, H, W}, xn.data());
  in["y"] = array_i32({batch}, y.data());
  const float cfg[6] = {lr, momentum, wd, clip_norm, smoothing, spec.bn_momentum};
  in["cfg"] = array_f32({6}, cfg);
  std::vector<std::vector<float>> before;
  for (auto& p : model->params) {
    before.push_back(host_copy(ctx, *p.param));
    in["p." + p.name] = to_torch_layout(p.name, *p.param, before.back());
    int32_t d = p.decay ? 1 : 0;
    in["decay." + p.name] = array_i32({1}, &d);
    if (p.name.ends_with("bn.bias")) {
      const std::string base = p.name.substr(0, p.name.size() - 4);
      for (int which = 0; which < 2; ++which) {
        Tensor t = bn_buffer(p, which);
        in["b." + base + (which ? "running_var" : "running_mean")] = to_torch_layout("", t, host_copy(ctx, t));
      }
    }
  }

  // Our step.
  Tensor logits = model->head.logits, dlogits = model->head.dlogits;
  int32_t no_key[2] = {0, 0};  // resnets and WRN draw nothing from the step key
  model->forward(ctx, batch, true, Tensor(no_key, Shape{2}, DType::i32, Device::cpu));
  softmax_ce_forward_backward(ctx, SoftmaxCEParams{smoothing}, {.logits = logits, .labels = model->labels,
                                                                .loss = model->loss, .dlogits = dlogits,
                                                                .correct = model->correct});
  std::vector<float> our_logits = host_copy(ctx, logits), our_loss = host_copy(ctx, model->loss);
  model->backward(ctx, batch);
  clip.compute(ctx, model->params);
  float lr_step = lr;  // the step reads its rate from a one-element tensor (cpu: this variable)
  sgd.step(ctx, Tensor(&lr_step, Shape{1}, DType::f32), &clip.scale());
  ctx.sync();

  std::string code = "SRC = '" + std::string(AWS_SOURCE_DIR) + "'\nNAME = '" + spec.name +
                     "'\nCLASSES = " + std::to_string(spec.classes) +
                     "\nCEILING = " + (tol.float32_ceiling > 0 ? "True" : "False") + "\n" + kStepTorch;
  Arrays out = run_python(code, in);

  std::printf("%s on %dx%dx%d, batch %lld, %lld parameters (PyTorch twin: %lld)\n", spec.name.c_str(), spec.c, spec.h,
              spec.w, (long long)batch, (long long)model->num_params(), (long long)out.at("nparams").as<int64_t>()[0]);
  CHECK(model->num_params() == out.at("nparams").as<int64_t>()[0]);
  // The allowance from PyTorch's own float32 step for output `key` (0 without float32_ceiling).
  auto ceiling = [&](const std::string& key, const std::vector<double>& ref) {
    return tol.float32_ceiling > 0 ? tol.float32_ceiling * distance(out.at("f32:" + key).to_f64(), ref) : 0.0;
  };
  Checker ck;
  ck.check("loss", to_f64(our_loss), out.at("loss").to_f64(), tol.forward, 0, ceiling("loss", out.at("loss").to_f64()));
  ck.check("logits", to_f64(our_logits), out.at("logits").to_f64(), tol.forward, 0,
           ceiling("logits", out.at("logits").to_f64()));
  ck.check("grad-norm", {double(clip.norm(ctx))}, out.at("norm").to_f64(), tol.grad, 0,
           ceiling("norm", out.at("norm").to_f64()));
  const double total_norm = out.at("norm").to_f64()[0], kEps32 = 1.1920929e-7;
  size_t i = 0;
  for (auto& p : model->params) {
    auto grad = host_copy(ctx, *p.grad), now = host_copy(ctx, *p.param);
    Array g = to_torch_layout(p.name, *p.grad, grad), q = to_torch_layout(p.name, *p.param, now);
    Array q0 = to_torch_layout(p.name, *p.param, before[i]);
    std::vector<double> ref_p = out.at("p." + p.name).to_f64(), step_ours(now.size()), step_ref(now.size());
    auto ours_p = q.to_f64(), old_p = q0.to_f64();
    for (size_t k = 0; k < now.size(); ++k) step_ours[k] = ours_p[k] - old_p[k], step_ref[k] = ref_p[k] - old_p[k];
    ck.check("grad " + p.name, g.to_f64(), out.at("g." + p.name).to_f64(), tol.grad, 1e-6 * total_norm,
             ceiling("g." + p.name, out.at("g." + p.name).to_f64()));
    ck.check("param " + p.name, ours_p, ref_p, tol.forward, 0, ceiling("p." + p.name, ref_p));
    ck.check("update " + p.name, step_ours, step_ref, tol.grad, 4 * kEps32 * norm2(ref_p),
             ceiling("p." + p.name, ref_p));
    if (p.name.ends_with("bn.bias")) {
      const std::string base = p.name.substr(0, p.name.size() - 4);
      for (int which = 0; which < 2; ++which) {
        std::string key = base + (which ? "running_var" : "running_mean");
        ck.check(key, to_f64(host_copy(ctx, bn_buffer(p, which))), out.at("b." + key).to_f64(), tol.forward, 0,
                 ceiling("b." + key, out.at("b." + key).to_f64()));
      }
    }
    ++i;
  }
  std::printf("%s: worst tensor %s at %.1f%% of its tolerance\n", spec.name.c_str(), ck.worst.c_str(),
              100.0 * ck.worst_share);
}

}  // namespace aws::test
