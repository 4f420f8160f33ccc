// linear forward and backward (y, dx, dw, db) against torch.nn.functional.linear in float64 on the
// same inputs, with and without bias, in f32 and f64.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "engine/ops/linear.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

struct LinCase {
  int64_t N, I, O;
  bool bias;
};
const LinCase kCases[] = {{128, 64, 10, true}, {128, 64, 10, false}, {3, 7, 5, true},
                          {1, 1, 1, false},    {17, 33, 9, true},    {256, 512, 100, true}};

const char* kTorch = R"(
import torch
import torch.nn.functional as F
for name in sorted(k[2:] for k in I if k.startswith('x_')):
    x = torch.from_numpy(I['x_' + name]).requires_grad_()
    w = torch.from_numpy(I['w_' + name]).requires_grad_()
    b = torch.from_numpy(I['b_' + name]).requires_grad_() if 'b_' + name in I else None
    y = F.linear(x, w, b)
    y.backward(torch.from_numpy(I['dy_' + name]))
    O['y_' + name] = y.detach().numpy()
    O['dx_' + name] = x.grad.numpy()
    O['dw_' + name] = w.grad.numpy()
    if b is not None:
        O['db_' + name] = b.grad.numpy()
)";

struct Data {
  LinCase c;
  std::vector<float> x, w, b, dy;
  std::vector<double> y, dx, dw, db;
};

template <class T>
std::vector<double> run(Ctx& ctx, const Data& d, std::vector<double>& dx, std::vector<double>& dw,
                        std::vector<double>& db, bool want_dx) {
  const LinCase& c = d.c;
  const DType dt = sizeof(T) == 8 ? DType::f64 : DType::f32;
  std::vector<T> x(d.x.begin(), d.x.end()), w(d.w.begin(), d.w.end()), b(d.b.begin(), d.b.end());
  std::vector<T> dy(d.dy.begin(), d.dy.end()), y(size_t(c.N * c.O)), gx(x.size()), gw(w.size()), gb(b.size());
  Tensor tx(x.data(), {c.N, c.I}, dt), tw(w.data(), {c.O, c.I}, dt), tb(b.data(), {c.O}, dt);
  Tensor ty(y.data(), {c.N, c.O}, dt), tdy(dy.data(), {c.N, c.O}, dt);
  Tensor tgx(gx.data(), tx.shape, dt), tgw(gw.data(), tw.shape, dt), tgb(gb.data(), tb.shape, dt);
  linear_forward(ctx, {.x = tx, .w = tw, .y = ty, .b = c.bias ? &tb : nullptr});
  linear_backward(ctx, {.x = tx, .w = tw, .dy = tdy, .dw = tgw, .dx = want_dx ? &tgx : nullptr,
                        .db = c.bias ? &tgb : nullptr});
  dx.assign(gx.begin(), gx.end());
  dw.assign(gw.begin(), gw.end());
  db.assign(gb.begin(), gb.end());
  return {y.begin(), y.end()};
}

}  // namespace

TEST_CASE("linear: forward and backward match PyTorch float64, with and without bias") {
  const uint64_t seed = test_seed(7);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> U(-1.f, 1.f);
  std::vector<Data> cases;
  Arrays in;
  for (const LinCase& c : kCases) {
    Data d;
    d.c = c;
    auto fill = [&](std::vector<float>& v, int64_t n) {
      v.resize(size_t(n));
      for (auto& e : v) e = U(rng);
    };
    fill(d.x, c.N * c.I);
    fill(d.w, c.O * c.I);
    fill(d.dy, c.N * c.O);
    if (c.bias) fill(d.b, c.O);
    const std::string n = std::to_string(100 + cases.size());
    auto f64 = [](const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); };
    in["x_" + n] = array_f64({c.N, c.I}, f64(d.x).data());
    in["w_" + n] = array_f64({c.O, c.I}, f64(d.w).data());
    in["dy_" + n] = array_f64({c.N, c.O}, f64(d.dy).data());
    if (c.bias) in["b_" + n] = array_f64({c.O}, f64(d.b).data());
    cases.push_back(std::move(d));
  }
  Arrays out = run_python(kTorch, in);
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string n = std::to_string(100 + i);
    REQUIRE(out.count("y_" + n) == 1);
    cases[i].y = out["y_" + n].to_f64();
    cases[i].dx = out["dx_" + n].to_f64();
    cases[i].dw = out["dw_" + n].to_f64();
    if (cases[i].c.bias) cases[i].db = out["db_" + n].to_f64();
  }

  Ctx ctx(Device::cpu);
  for (bool f64 : {false, true}) {
    const double tol = f64 ? 1e-12 : 1e-5;
    double worst = 0;
    for (const Data& d : cases) {
      const LinCase& c = d.c;
      INFO((f64 ? "f64" : "f32"), " case N", c.N, " in", c.I, " out", c.O, " bias ", c.bias);
      std::vector<double> dx, dw, db;
      const bool want_dx = c.N != 17;  // one case leaves dx out
      auto y = f64 ? run<double>(ctx, d, dx, dw, db, want_dx) : run<float>(ctx, d, dx, dw, db, want_dx);
      std::vector<double> rels{compare(y.data(), d.y.data(), int64_t(y.size())).rel,
                               compare(dw.data(), d.dw.data(), int64_t(dw.size())).rel};
      if (want_dx) rels.push_back(compare(dx.data(), d.dx.data(), int64_t(dx.size())).rel);
      else CHECK(std::all_of(dx.begin(), dx.end(), [](double v) { return v == 0; }));  // untouched
      if (c.bias) rels.push_back(compare(db.data(), d.db.data(), int64_t(db.size())).rel);
      for (double r : rels) {
        INFO("rel error ", r, " tolerance ", tol);
        CHECK(r < tol);
        worst = std::max(worst, r / tol);
      }
    }
    MESSAGE("linear ", (f64 ? "f64" : "f32"), ": worst share of tolerance used ", worst);
  }
}
