// `aws bench allreduce` (under mpirun -np W, W >= 2): the time and bus bandwidth of our communicator's
// allreduce (engine/dist/communicator.h: non-blocking MPI_Iallreduce waited for with a deadline)
// next to a plain blocking MPI_Allreduce loop (bench/mpi_allreduce_peer.h) on the same buffer, sizes
// 4 B to 64 MiB of f32 by factors of 4. Each call starts after a barrier; a figure is the median over
// the repetitions of the slowest rank's time. Bus bandwidth as NCCL's tests define it for allreduce:
// bytes · 2(W−1)/W / time. Rank 0 prints.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "apps/commands.h"
#include "core/error.h"
#include "engine/dist/communicator.h"
#if defined(AWS_WITH_MPI)
#include "bench/mpi_allreduce_peer.h"
#endif

namespace aws::cli {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void run_bench_allreduce(int reps, int64_t max_bytes) {
#if !defined(AWS_WITH_MPI)
  (void)reps, (void)max_bytes;
  throw UserError("aws bench allreduce: this binary was built without MPI (-DAWS_MPI=ON)");
#else
  std::unique_ptr<Communicator> world = make_world_communicator();
  const int w = world->size();
  if (w < 2)
    throw UserError("aws bench allreduce: run it under mpirun -np N with N >= 2 (one rank has nothing to reduce)");
  Ctx ctx(Device::cpu, 1);
  const double bus = 2.0 * (w - 1) / w;
  if (world->rank() == 0) {
    std::printf("allreduce (sum, f32, in place) on %d ranks, %s communicator vs plain MPI_Allreduce; median of %d "
                "calls, each the slowest rank's\n", w, world->backend().c_str(), reps);
    std::printf("%12s %12s %12s %10s %12s %12s\n", "bytes", "ours us", "MPI us", "ours/MPI", "ours GB/s", "MPI GB/s");
  }
  std::vector<float> buf(size_t(max_bytes / 4), 1.0f);
  for (int64_t n = 1; n * 4 <= max_bytes; n *= 4) {
    Tensor t(buf.data(), Shape{n}, DType::f32);
    std::vector<double> ours(static_cast<size_t>(reps));
    for (int i = -2; i < reps; ++i) {
      world->barrier();
      const auto t0 = std::chrono::steady_clock::now();
      world->allreduce(ctx, t, ReduceOp::sum);
      if (i >= 0) ours[size_t(i)] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    Tensor tt(ours.data(), Shape{int64_t(reps)}, DType::f64);
    world->allreduce(ctx, tt, ReduceOp::max);
    const std::vector<double> peer = bench::mpi_allreduce_peer(buf.data(), n, 2, reps);
    const double o = median(ours), p = median(peer), bytes = double(n) * 4;
    if (world->rank() == 0)
      std::printf("%12.0f %12.1f %12.1f %10.2f %12.3f %12.3f\n", bytes, o * 1e6, p * 1e6, o / p, bytes * bus / o / 1e9,
                  bytes * bus / p / 1e9);
    std::fill(buf.begin(), buf.begin() + n, 1.0f);  // sums grow by W per call: keep them small and finite
  }
#endif
}

}  // namespace

void add_bench_allreduce(CLI::App& bench) {
  auto reps = std::make_shared<int>(20);
  auto max_bytes = std::make_shared<int64_t>(int64_t(64) << 20);
  auto* s = bench.add_subcommand("allreduce", "our allreduce next to a plain MPI_Allreduce loop (under mpirun -np N)");
  s->add_option("--reps", *reps, "timed calls per size")->capture_default_str()->check(CLI::Range(1, 100000));
  s->add_option("--max-bytes", *max_bytes, "the largest message (sizes 4 B, 16 B, ... up to it)")
      ->capture_default_str()->check(CLI::Range(int64_t(4), int64_t(1) << 31));
  s->callback([=] { run_bench_allreduce(*reps, *max_bytes); });
}

}  // namespace aws::cli
