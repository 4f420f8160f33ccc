// The MPI communicator under `mpirun -np 2` (ctest label dist): every collective against the answer
// each rank computes alone from the other ranks' known inputs (value(r, i)), split, reruns bit for bit,
// and bad arguments refused on every rank before any MPI call (so no rank is left waiting).
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "engine/dist/communicator.h"
#include "tests/dist/world.h"

using namespace aws;
using aws::test::world;

namespace {

// What rank r holds at element i: distinct per rank, with fractions that make summation order show.
double value(int r, int64_t i) { return (r + 1) * 0.1 + double(i) * 1.37e-3 - (i % 7 == r ? 3.25 : 0.0); }

}  // namespace

TEST_CASE("dist: the world under mpirun -np 2 is an MPI communicator of 2 ranks") {
  CHECK(launcher_world_size() == 2);
  CHECK(world().backend() == "mpi");
  CHECK(world().size() == 2);
  CHECK((world().rank() == 0 || world().rank() == 1));
}

TEST_CASE("dist: allreduce sum and max equal the sums each rank computes alone (f32, f64, i32)") {
  Communicator& c = world();
  Ctx ctx(Device::cpu, 1);
  const int64_t n = 1000;
  std::vector<float> f(n), fsum(n, 0.f), fmax(n, -1e30f);
  std::vector<double> d(n), dsum(n, 0.0);
  std::vector<int32_t> k(n), ksum(n, 0);
  for (int64_t i = 0; i < n; ++i) {
    f[size_t(i)] = float(value(c.rank(), i));
    d[size_t(i)] = value(c.rank(), i);
    k[size_t(i)] = int32_t(i * (c.rank() + 3));
    for (int r = 0; r < c.size(); ++r) {
      fsum[size_t(i)] += float(value(r, i));
      fmax[size_t(i)] = std::max(fmax[size_t(i)], float(value(r, i)));
      dsum[size_t(i)] += value(r, i);
      ksum[size_t(i)] += int32_t(i * (r + 3));
    }
  }
  std::vector<float> f2 = f;
  Tensor tf(f.data(), Shape{n}, DType::f32), tf2(f2.data(), Shape{n}, DType::f32);
  Tensor td(d.data(), Shape{n}, DType::f64), tk(k.data(), Shape{n}, DType::i32);
  c.allreduce(ctx, tf, ReduceOp::sum);
  c.allreduce(ctx, tf2, ReduceOp::max);
  c.allreduce(ctx, td, ReduceOp::sum);
  c.allreduce(ctx, tk, ReduceOp::sum);
  CHECK(f == fsum);  // two ranks: a + b is exact in any order
  CHECK(f2 == fmax);
  CHECK(d == dsum);
  CHECK(k == ksum);
  // A rerun from the same inputs gives the same bits.
  std::vector<float> again(n);
  for (int64_t i = 0; i < n; ++i) again[size_t(i)] = float(value(c.rank(), i));
  Tensor ta(again.data(), Shape{n}, DType::f32);
  c.allreduce(ctx, ta, ReduceOp::sum);
  CHECK(std::memcmp(again.data(), f.data(), size_t(n) * 4) == 0);
}

TEST_CASE("dist: allgather in rank order, broadcast from a root, split by color and key") {
  Communicator& c = world();
  Ctx ctx(Device::cpu, 1);
  std::vector<int32_t> mine = {c.rank() * 10, c.rank() * 10 + 1, c.rank() * 10 + 2}, all(3 * size_t(c.size()), -1);
  Tensor in(mine.data(), Shape{3}, DType::i32), out(all.data(), Shape{3 * c.size()}, DType::i32);
  c.allgather(ctx, in, out);
  for (int r = 0; r < c.size(); ++r)
    for (int j = 0; j < 3; ++j) CHECK(all[size_t(3 * r + j)] == r * 10 + j);

  std::vector<double> b = {double(c.rank()), 2.5 * c.rank()};
  Tensor tb(b.data(), Shape{2}, DType::f64);
  c.broadcast(ctx, tb, 1);
  CHECK(b == std::vector<double>{1.0, 2.5});

  auto alone = c.split(c.rank(), 0);  // one group per rank
  CHECK(alone->size() == 1);
  CHECK(alone->rank() == 0);
  auto reversed = c.split(0, -c.rank());  // one group, ranked by descending old rank
  CHECK(reversed->size() == c.size());
  CHECK(reversed->rank() == c.size() - 1 - c.rank());
  float x = float(c.rank() + 1);
  Tensor tx(&x, Shape{1}, DType::f32);
  reversed->allreduce(ctx, tx, ReduceOp::sum);
  CHECK(x == 3.0f);
  c.barrier();
}

TEST_CASE("dist: bad arguments are refused on every rank before any message") {
  Communicator& c = world();
  Ctx ctx(Device::cpu, 1);
  double v = 1;
  Tensor t(&v, Shape{1}, DType::f64);
  CHECK_THROWS_WITH_AS(c.broadcast(ctx, t, 2), doctest::Contains("root 2 is outside [0, 2)"), Error);
  uint8_t u = 0;
  Tensor tu(&u, Shape{1}, DType::u8);
  CHECK_THROWS_WITH_AS(c.allreduce(ctx, tu, ReduceOp::sum), doctest::Contains("u8 is not reduced"), Error);
  std::vector<double> small(1);
  Tensor ts(small.data(), Shape{1}, DType::f64);
  CHECK_THROWS_WITH_AS(c.allgather(ctx, t, ts), doctest::Contains("2 ranks"), Error);
  c.barrier();  // both ranks are still in step
}
