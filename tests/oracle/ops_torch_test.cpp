// Every op case (f32, cpu) against PyTorch 1.13 computed in double from the same inputs: outputs,
// input and parameter gradients (upstream gradient = seeded random), running-statistics updates.
// Tolerances are relative errors ‖ours − torch‖/‖torch‖; the share of the budget used is printed.
// Dropout has no framework twin (its mask comes from our generator): see tests/unit/ops_cpu_test.cpp.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/support/op_cases.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

const char* kPrelude = R"PY(
import torch, numpy as np
import torch.nn.functional as F
def nchw(a): return torch.from_numpy(a).double().permute(0, 3, 1, 2).contiguous()
def t(a): return torch.from_numpy(a).double()
def leaf(x): return x.requires_grad_()
def nhwc(x): return x.detach().permute(0, 2, 3, 1).contiguous().numpy()
def np_(x): return x.detach().contiguous().numpy()
)PY";

// One snippet per op family; P holds the case's params, I its inputs and dy_<output>.
const std::map<std::string, std::string> kTorch = {
    {"relu", R"PY(
x = leaf(nchw(I['x'])); y = F.relu(x)
(y * nchw(I['dy_y'])).sum().backward()
O['y'] = nhwc(y); O['dx_x'] = nhwc(x.grad)
)PY"},
    {"add", R"PY(
a = leaf(nchw(I['a'])); b = leaf(nchw(I['b'])); y = a + b
(y * nchw(I['dy_y'])).sum().backward()
O['y'] = nhwc(y); O['dx_a'] = nhwc(a.grad); O['dx_b'] = nhwc(b.grad)
)PY"},
    {"batchnorm_train", R"PY(
x = leaf(nchw(I['x'])); g = leaf(t(I['gamma'])); b = leaf(t(I['beta']))
rm = t(I['running_mean']).clone(); rv = t(I['running_var']).clone()
z = F.batch_norm(x, rm, rv, g, b, training=True, momentum=P['momentum'], eps=P['eps'])
if P['residual']:
    r = leaf(nchw(I['residual'])); z = z + r
if P['relu']: z = F.relu(z)
(z * nchw(I['dy_y'])).sum().backward()
_, sm, si = torch.native_batch_norm(x.detach(), None, None, None, None, True, 0.0, P['eps'])
O['y'] = nhwc(z); O['save_mean'] = np_(sm); O['save_invstd'] = np_(si)
O['after_running_mean'] = np_(rm); O['after_running_var'] = np_(rv)
O['dx_x'] = nhwc(x.grad); O['dx_gamma'] = np_(g.grad); O['dx_beta'] = np_(b.grad)
if P['residual']: O['dx_residual'] = nhwc(r.grad)
)PY"},
    {"batchnorm_eval", R"PY(
x = nchw(I['x'])
z = F.batch_norm(x, t(I['running_mean']), t(I['running_var']), t(I['gamma']), t(I['beta']), training=False, eps=P['eps'])
if P['residual']: z = z + nchw(I['residual'])
if P['relu']: z = F.relu(z)
O['y'] = nhwc(z)
)PY"},
    {"global_avgpool", R"PY(
x = leaf(nchw(I['x'])); y = F.adaptive_avg_pool2d(x, 1).flatten(1)
(y * t(I['dy_y'])).sum().backward()
O['y'] = np_(y); O['dx_x'] = nhwc(x.grad)
)PY"},
    {"maxpool", R"PY(
x = leaf(nchw(I['x']))
y, idx = F.max_pool2d(x, int(P['kernel']), int(P['stride']), int(P['pad']), return_indices=True)
(y * nchw(I['dy_y'])).sum().backward()
O['y'] = nhwc(y); O['argmax'] = nhwc(idx).astype(np.int32); O['dx_x'] = nhwc(x.grad)
)PY"},
    {"softmax_ce", R"PY(
z = leaf(t(I['logits'])); lab = torch.from_numpy(I['labels']).long()
loss = F.cross_entropy(z, lab, label_smoothing=P['label_smoothing'])
dl, = torch.autograd.grad(loss, z, retain_graph=True)
(loss * t(I['dy_loss'])[0]).backward()
O['loss'] = np_(loss.reshape(1)); O['dlogits'] = np_(dl); O['dx_logits'] = np_(z.grad)
O['correct'] = np.array([(z.detach().argmax(1) == lab).sum().item()], dtype=np.int32)
)PY"},
    {"conv2d", R"PY(
x = leaf(nchw(I['x'])); w = leaf(nchw(I['w']))
y = F.conv2d(x, w, stride=int(P['stride']), padding=int(P['pad']))
(y * nchw(I['dy_y'])).sum().backward()
O['y'] = nhwc(y); O['dx_x'] = nhwc(x.grad); O['dx_w'] = nhwc(w.grad)
)PY"},
    {"linear", R"PY(
x = leaf(t(I['x'])); w = leaf(t(I['w'])); b = leaf(t(I['b'])) if P['bias'] else None
y = F.linear(x, w, b)
(y * t(I['dy_y'])).sum().backward()
O['y'] = np_(y); O['dx_x'] = np_(x.grad); O['dx_w'] = np_(w.grad)
if P['bias']: O['dx_b'] = np_(b.grad)
)PY"},
};

Array to_array(const HostTensor& h) {
  std::vector<int64_t> shape(h.shape.d.begin(), h.shape.d.begin() + h.shape.rank);
  if (h.kind == Kind::i32) {
    std::vector<int32_t> v(h.v.begin(), h.v.end());
    return array_i32(shape, v.data());
  }
  if (h.kind == Kind::u8) {
    std::vector<uint8_t> v(h.v.begin(), h.v.end());
    return array_u8(shape, v.data());
  }
  std::vector<float> v(h.v.begin(), h.v.end());
  return array_f32(shape, v.data());
}

std::string params_py(const OpCase& c) {
  std::string s = "P = {";
  char buf[64];
  for (auto& [k, v] : c.params) {
    std::snprintf(buf, sizeof buf, "%.17g", v);
    s += "'" + k + "': " + buf + ", ";
  }
  return s + "}\n";
}

// Compares one tensor; real: relative error within c.tol (share printed), integer: exact.
void compare_one(const OpCase& c, const std::string& what, const HostTensor& ours, const Array& ref) {
  INFO(c.name, " ", what);
  REQUIRE(ref.numel() == int64_t(ours.v.size()));
  const std::vector<double> r = ref.to_f64();
  if (ours.kind != Kind::real) {
    int64_t bad = 0, first = -1;
    for (size_t i = 0; i < r.size(); ++i)
      if (ours.v[i] != r[i]) bad++, first = first < 0 ? int64_t(i) : first;
    INFO("mismatches ", bad, ", first at ", first);
    CHECK(bad == 0);
    return;
  }
  const Compare cmp = compare(ours.v.data(), r.data(), int64_t(r.size()));
  MESSAGE(c.name, " ", what, ": rel ", cmp.rel, " = ", 100 * cmp.rel / c.tol, "% of ", c.tol, " (max abs ", cmp.max_abs,
          " at ", cmp.worst, ")");
  CHECK(cmp.rel <= c.tol);
}

}  // namespace

TEST_CASE("ops vs PyTorch: forward, gradients and running statistics of every op case (f32, cpu)") {
  Ctx ctx(Device::cpu, 2);
  const uint64_t seed = test_seed(31337);
  INFO("seed ", seed);
  int compared = 0;
  for (const OpCase& c : all_op_cases()) {
    if (c.uses_rng) continue;  // dropout: statistics test in tests/unit/ops_cpu_test.cpp
    INFO(c.name);
    auto snippet = kTorch.find(c.op);
    REQUIRE_MESSAGE(snippet != kTorch.end(), "no PyTorch twin for op ", c.op);
    const HostMap in = make_inputs(c, seed);
    const HostMap dys = make_output_grads(c, seed);
    const CaseResult ours = run_case(ctx, c, DType::f32, in, &dys);
    Arrays arrays;
    for (auto& [k, v] : in) arrays[k] = to_array(v);
    for (auto& [k, v] : dys) arrays["dy_" + k] = to_array(v);
    Arrays ref = run_python(std::string(kPrelude) + params_py(c) + snippet->second, arrays);
    for (auto& s : c.outputs) {
      REQUIRE_MESSAGE(ref.count(s.name), "PyTorch twin lacks output ", s.name);
      compare_one(c, s.name, ours.outputs.at(s.name), ref.at(s.name));
    }
    if (c.backward)
      for (auto& s : c.inputs)
        if (s.diff) {
          REQUIRE_MESSAGE(ref.count("dx_" + s.name), "PyTorch twin lacks the gradient of ", s.name);
          compare_one(c, "grad " + s.name, ours.grads.at(s.name), ref.at("dx_" + s.name));
        }
    for (auto& s : c.inputs)
      if (ref.count("after_" + s.name)) compare_one(c, s.name + " (after)", ours.inputs_after.at(s.name), ref.at("after_" + s.name));
    ++compared;
  }
  CHECK(compared >= 18);
}
