// The peer of `aws bench allreduce` (apps/bench_allreduce.cpp): the loop an MPI user writes, a plain
// blocking MPI_Allreduce (MPI_SUM, in place, MPI_FLOAT) on MPI_COMM_WORLD. Compiled into the aws binary
// only with MPI (there is no MPI benchmark suite in Debian to run beside us).
#pragma once
#include <cstdint>
#include <vector>

namespace aws::bench {

// Seconds of each of `reps` allreduces of buf[0..n) after `warmup` untimed ones; every call starts
// after a barrier, and each figure is the slowest rank's (an MPI_MAX over the ranks at the end).
std::vector<double> mpi_allreduce_peer(float* buf, int64_t n, int warmup, int reps);

}  // namespace aws::bench
