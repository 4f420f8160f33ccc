// Finite-difference gradient check of every op case that has a backward (double precision on the cpu;
// f32-only cases in f32), plus a check that the checker itself catches a wrong gradient.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "engine/ops/relu.h"
#include "tests/support/gradcheck.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

TEST_CASE("gradcheck: every op case's backward matches central differences") {
  Ctx ctx(Device::cpu, 1);
  const uint64_t seed = test_seed(20240607);
  int checked_cases = 0;
  for (const OpCase& c : all_op_cases()) {
    if (!c.backward) continue;
    const GradcheckReport r = gradcheck(ctx, c, seed);
    MESSAGE(c.name, ": ", r.str());
    INFO(c.name, ": ", r.str());
    CHECK(r.ok);
    // The kink window must leave most points checked, or the check would prove little.
    CHECK(r.skipped_kinks * 10 <= r.checked);
    if (c.f64) CHECK(r.dtype == "f64");
    ++checked_cases;
  }
  CHECK(checked_cases >= 16);
}

TEST_CASE("gradcheck: a wrong backward is caught and reported with its worst element") {
  Ctx ctx(Device::cpu, 1);
  OpCase c = all_op_cases().front();  // relu: keep its forward, break its backward by a factor
  REQUIRE(c.op == "relu");
  c.backward = [](Env& e) {
    relu_backward(e.ctx, {.y = e.out("y"), .dy = e.dy("y"), .dx = e.dx("x")});
    auto d = e.read(e.dx("x"));
    d[3] *= 1.1;
    d[7] += 0.5;
    e.write(e.dx("x"), d);
  };
  const GradcheckReport r = gradcheck(ctx, c, 7);
  CHECK_FALSE(r.ok);
  CHECK(r.worst.find("x[") != std::string::npos);
  CHECK(r.worst.find("seed 7") != std::string::npos);
  CHECK(r.worst_share > 1.0);
}

TEST_CASE("op cases: names are unique and every case states its support on cpu") {
  auto cases = all_op_cases();
  std::set<std::string> names;
  for (auto& c : cases) {
    INFO(c.name);
    CHECK(names.insert(c.name).second);
    CHECK(case_support(c, Device::cpu, DType::f32).ok);
    CHECK(case_support(c, Device::cpu, DType::f64).ok == c.f64);
  }
  for (const char* op : {"relu", "batchnorm_train", "batchnorm_eval", "add", "global_avgpool", "maxpool", "softmax_ce",
                         "dropout", "conv2d", "linear"}) {
    INFO(op);
    CHECK(std::count_if(cases.begin(), cases.end(), [&](const OpCase& c) { return c.op == op; }) >= 1);
  }
}
