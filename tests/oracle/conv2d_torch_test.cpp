// conv2d forward, dx and dw against torch.nn.functional.conv2d in float64 on the same inputs, for a
// table of shapes (k 1/3/5/7, stride 1/2, pad 0..3, odd sizes), on every cpu path: the facade (oneDNN
// when built, its preferred weight layout), oneDNN on OHWI weights, and the direct loops in f32 and f64.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dnnl_state.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

struct ConvCase {
  int64_t N, H, W, C, K, k;
  int stride, pad;
};

// Covers k ∈ {1,3,5,7}, stride ∈ {1,2}, pad ∈ {0..3}, C ∈ {1,3,16}, K ∈ {8,16,32}, sizes 7/13/28, N ∈ {1,3}.
const ConvCase kCases[] = {
    {1, 7, 7, 1, 8, 1, 1, 0},      {3, 13, 13, 3, 16, 3, 1, 1},  {3, 13, 7, 16, 8, 3, 2, 1},
    {1, 28, 28, 1, 16, 3, 1, 1},   {3, 7, 13, 16, 32, 5, 1, 2},  {1, 13, 13, 3, 8, 5, 2, 0},
    {3, 13, 13, 16, 16, 7, 1, 3},  {1, 28, 28, 3, 32, 7, 2, 3},  {3, 13, 13, 16, 32, 1, 2, 0},
    {1, 7, 7, 16, 16, 3, 2, 2},    {3, 28, 13, 1, 8, 5, 2, 1},   {1, 7, 7, 3, 16, 7, 1, 0},
    {3, 13, 13, 16, 16, 1, 1, 1},  {1, 13, 28, 3, 32, 3, 2, 3},
};

const char* kTorch = R"(
import torch
import torch.nn.functional as F
for name in sorted(k[2:] for k in I if k.startswith('x_')):
    x = torch.from_numpy(I['x_' + name]).permute(0, 3, 1, 2).requires_grad_()
    w = torch.from_numpy(I['w_' + name]).permute(0, 3, 1, 2).requires_grad_()
    st, pd = [int(v) for v in I['p_' + name]]
    y = F.conv2d(x, w, stride=st, padding=pd)
    y.backward(torch.from_numpy(I['dy_' + name]).permute(0, 3, 1, 2))
    O['y_' + name] = y.detach().permute(0, 2, 3, 1).contiguous().numpy()
    O['dx_' + name] = x.grad.permute(0, 2, 3, 1).contiguous().numpy()
    O['dw_' + name] = w.grad.permute(0, 2, 3, 1).contiguous().numpy()
)";

struct CaseData {
  ConvCase c;
  int64_t P, Q;
  std::vector<float> x, w, dy;  // inputs (f32 values, given to torch exactly as f64)
  std::vector<double> y, dx, dw;  // torch results
};

enum class Path { facade, dnnl_ohwi, direct_f32, direct_f64 };
const char* path_name(Path p) {
  switch (p) {
    case Path::facade: return AWS_DNNL_BUILT ? "facade (oneDNN, preferred weight layout)" : "facade (direct)";
    case Path::dnnl_ohwi: return "oneDNN, ohwi weights";
    case Path::direct_f32: return "direct f32";
    case Path::direct_f64: return "direct f64";
  }
  return "?";
}

std::vector<double> to_f64(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// Runs fwd, bwd-data, bwd-weights on one path; results as double.
template <class T>
void run_path(Ctx& ctx, Path path, const CaseData& d, std::vector<double>& y, std::vector<double>& dx,
              std::vector<double>& dw) {
  const ConvCase& c = d.c;
  const DType dt = sizeof(T) == 8 ? DType::f64 : DType::f32;
  std::vector<T> x(d.x.begin(), d.x.end()), w(d.w.begin(), d.w.end()), dy(d.dy.begin(), d.dy.end());
  std::vector<T> yo(size_t(c.N * d.P * d.Q * c.K)), dxo(x.size()), dwo(w.size());
  Tensor tx(x.data(), {c.N, c.H, c.W, c.C}, dt), tw(w.data(), {c.K, c.k, c.k, c.C}, dt);
  Tensor tdy(dy.data(), {c.N, d.P, d.Q, c.K}, dt), ty(yo.data(), tdy.shape, dt);
  Tensor tdx(dxo.data(), tx.shape, dt), tdw(dwo.data(), tw.shape, dt);
  const Conv2dParams p{c.stride, c.pad};
  if (path == Path::facade || path == Path::dnnl_ohwi) {
    conv2d_forward(ctx, p, {.x = tx, .w = tw, .y = ty});
    conv2d_backward_data(ctx, p, {.dy = tdy, .w = tw, .dx = tdx});
    conv2d_backward_weights(ctx, p, {.x = tx, .dy = tdy, .dw = tdw});
  } else {
    conv2d_forward_direct(ctx, p, {.x = tx, .w = tw, .y = ty});
    conv2d_backward_data_direct(ctx, p, {.dy = tdy, .w = tw, .dx = tdx});
    conv2d_backward_weights_direct(ctx, p, {.x = tx, .dy = tdy, .dw = tdw});
  }
  y.assign(yo.begin(), yo.end());
  dx.assign(dxo.begin(), dxo.end());
  dw.assign(dwo.begin(), dwo.end());
}

}  // namespace

TEST_CASE("conv2d: forward, dx, dw match PyTorch float64 on every cpu path") {
  const uint64_t seed = test_seed(20240603);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> U(-1.f, 1.f);

  std::vector<CaseData> cases;
  Arrays in;
  for (const ConvCase& c : kCases) {
    CaseData d;
    d.c = c;
    d.P = conv2d_out_size(c.H, c.k, c.stride, c.pad);
    d.Q = conv2d_out_size(c.W, c.k, c.stride, c.pad);
    auto fill = [&](std::vector<float>& v, int64_t n) {
      v.resize(size_t(n));
      for (auto& e : v) e = U(rng);
    };
    fill(d.x, c.N * c.H * c.W * c.C);
    fill(d.w, c.K * c.k * c.k * c.C);
    fill(d.dy, c.N * d.P * d.Q * c.K);
    const std::string n = std::to_string(100 + cases.size());
    in["x_" + n] = array_f64({c.N, c.H, c.W, c.C}, to_f64(d.x).data());
    in["w_" + n] = array_f64({c.K, c.k, c.k, c.C}, to_f64(d.w).data());
    in["dy_" + n] = array_f64({c.N, d.P, d.Q, c.K}, to_f64(d.dy).data());
    const int32_t sp[2] = {c.stride, c.pad};
    in["p_" + n] = array_i32({2}, sp);
    cases.push_back(std::move(d));
  }
  Arrays out = run_python(kTorch, in);
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string n = std::to_string(100 + i);
    REQUIRE(out.count("y_" + n) == 1);
    cases[i].y = out["y_" + n].to_f64();
    cases[i].dx = out["dx_" + n].to_f64();
    cases[i].dw = out["dw_" + n].to_f64();
  }

  Ctx ctx(Device::cpu);
  std::vector<Path> paths{Path::facade, Path::direct_f32, Path::direct_f64};
  if (AWS_DNNL_BUILT) paths.push_back(Path::dnnl_ohwi);
  for (Path path : paths) {
    if (path == Path::dnnl_ohwi) AWS_DNNL_CALL(dnnl_set_weights, (ctx, DnnlWeights::ohwi));
    const double tol = path == Path::direct_f64 ? 1e-12 : 1e-5;
    double worst_share = 0;
    for (const CaseData& d : cases) {
      const ConvCase& c = d.c;
      INFO("path ", std::string(path_name(path)), " case N", c.N, " H", c.H, " W", c.W, " C", c.C, " K", c.K, " k", c.k, " stride ",
           c.stride, " pad ", c.pad);
      std::vector<double> y, dx, dw;
      if (path == Path::direct_f64) run_path<double>(ctx, path, d, y, dx, dw);
      else run_path<float>(ctx, path, d, y, dx, dw);
      const Compare cy = compare(y.data(), d.y.data(), int64_t(y.size()));
      const Compare cx = compare(dx.data(), d.dx.data(), int64_t(dx.size()));
      const Compare cw = compare(dw.data(), d.dw.data(), int64_t(dw.size()));
      INFO("rel y ", cy.rel, " dx ", cx.rel, " dw ", cw.rel, " (tolerance ", tol, ")");
      CHECK(cy.rel < tol);
      CHECK(cx.rel < tol);
      CHECK(cw.rel < tol);
      worst_share = std::max({worst_share, cy.rel / tol, cx.rel / tol, cw.rel / tol});
    }
    MESSAGE("conv2d ", std::string(path_name(path)), ": worst share of tolerance used ", worst_share);
  }
}
