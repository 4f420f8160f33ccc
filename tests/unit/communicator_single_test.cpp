// The single-rank communicator (no launcher in the environment): collectives are the identity, the
// same argument checks as the MPI one, and the world it picks without mpirun/srun.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/dist/communicator.h"

using namespace aws;

TEST_CASE("dist: without a launcher the world is one rank and every collective is the identity") {
  REQUIRE(launcher_world_size() == 1);  // ctest runs this binary without mpirun
  auto c = make_world_communicator();
  CHECK(c->backend() == "single");
  CHECK(c->size() == 1);
  CHECK(c->rank() == 0);
  Ctx ctx(Device::cpu, 1);
  std::vector<float> v = {1.5f, -2.f};
  Tensor t(v.data(), Shape{2}, DType::f32);
  c->allreduce(ctx, t, ReduceOp::sum);
  CHECK(v == std::vector<float>{1.5f, -2.f});
  std::vector<float> out(2);
  Tensor to(out.data(), Shape{2}, DType::f32);
  c->allgather(ctx, t, to);
  CHECK(out == v);
  c->broadcast(ctx, t, 0);
  CHECK_THROWS_WITH_AS(c->broadcast(ctx, t, 1), doctest::Contains("root 1"), Error);
  std::vector<float> big(3);
  Tensor tb(big.data(), Shape{3}, DType::f32);
  CHECK_THROWS_WITH_AS(c->allgather(ctx, t, tb), doctest::Contains("1 ranks × 2 expected"), Error);
  CHECK(c->split(3, 0)->size() == 1);
}

TEST_CASE("AWS_RANK_TIMEOUT: a positive number of seconds, 1800 when unset, anything else names it") {
  const char* old = std::getenv("AWS_RANK_TIMEOUT");
  const std::string saved = old ? old : "";
  ::unsetenv("AWS_RANK_TIMEOUT");
  CHECK(rank_timeout_seconds() == 1800);
  ::setenv("AWS_RANK_TIMEOUT", "2.5", 1);
  CHECK(rank_timeout_seconds() == 2.5);
  for (const char* bad : {"0", "-3", "abc", "5s", "nan", "inf", "1e300"}) {
    CAPTURE(bad);
    ::setenv("AWS_RANK_TIMEOUT", bad, 1);
    CHECK_THROWS_WITH_AS(rank_timeout_seconds(), doctest::Contains("AWS_RANK_TIMEOUT="), UserError);
  }
  if (old)
    ::setenv("AWS_RANK_TIMEOUT", saved.c_str(), 1);
  else
    ::unsetenv("AWS_RANK_TIMEOUT");
}
