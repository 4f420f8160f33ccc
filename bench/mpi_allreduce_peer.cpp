// The plain MPI_Allreduce loop (see mpi_allreduce_peer.h). Return codes: MPI_COMM_WORLD keeps MPI's
// default handler (errors abort), as in the loop users write.
#include "bench/mpi_allreduce_peer.h"

#include <mpi.h>

namespace aws::bench {

std::vector<double> mpi_allreduce_peer(float* buf, int64_t n, int warmup, int reps) {
  std::vector<double> t(static_cast<size_t>(reps));
  for (int i = -warmup; i < reps; ++i) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    if (i >= 0) t[size_t(i)] = MPI_Wtime() - t0;
  }
  MPI_Allreduce(MPI_IN_PLACE, t.data(), reps, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return t;
}

}  // namespace aws::bench
