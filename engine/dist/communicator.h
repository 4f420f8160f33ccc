// Collectives across the ranks of a job (DESIGN.md "Beyond one GPU"): one process per GPU (or per
// cpu worker set), started by mpirun or Slurm's srun. The facade has three implementations: single
// (one rank, no MPI: every collective is the identity), mpi (host buffers: the cpu backend's
// collectives and the bootstrap of the others; communicator_mpi.cpp) and, later, nccl (device
// buffers). Every rank must call the same collectives in the same order with the same shapes.
#pragma once
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "core/context.h"
#include "core/error.h"
#include "core/tensor.h"

namespace aws {

enum class ReduceOp { sum, max, mean };  // mean: the sum × 1/size (f32, f64)

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // "single" | "mpi"

  // In place: t becomes the elementwise reduction of every rank's t (f32, f64 or i32, same shape on
  // every rank). Sums run in a fixed order for a given size, so a rerun gives the same bits.
  virtual void allreduce(Ctx& ctx, Tensor& t, ReduceOp op) = 0;
  // out (size()·in.numel() elements of in's dtype) = every rank's `in`, in rank order.
  virtual void allgather(Ctx& ctx, const Tensor& in, Tensor& out) = 0;
  // Every rank's t becomes root's t.
  virtual void broadcast(Ctx& ctx, Tensor& t, int root) = 0;
  virtual void barrier() = 0;
  // The ranks that pass the same color form a new communicator, ranked by (key, old rank).
  virtual std::unique_ptr<Communicator> split(int color, int key) = 0;
  // Ends every rank of the job with exit code `code` (MPI_Abort): a rank that fails alone must not
  // leave the others waiting in a collective. Does not return on mpi; nothing on a single rank.
  virtual void abort(int code) = 0;
};

// One rank: the job without MPI.
std::unique_ptr<Communicator> make_single_communicator();

// MPI_COMM_WORLD (MPI is initialized here if nobody has, and finalized when this communicator goes).
std::unique_ptr<Communicator> make_mpi_communicator();

// The job this process belongs to. `world_size` (the --world-size flag): 0 = what the launcher announces
// (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_SIZE or SLURM_NTASKS in the environment; one rank when none
// does); 1 = this process alone, even inside a launcher's environment (an sbatch script's own shell);
// N > 1 = the MPI world, which must hold N ranks. UserError when MPI's world holds another number of
// ranks than expected (srun with an MPI built without Slurm's PMI starts N one-rank worlds that would
// each write the same files), or for several ranks in a build without MPI (naming -DAWS_MPI).
std::unique_ptr<Communicator> make_world_communicator(int world_size = 0);

// NCCL over `host`'s ranks on ctx's GPU (communicator_nccl.cpp; -DAWS_NCCL): device tensors through
// NCCL, host ones through `host`. Rank 0's unique id travels over `host`.
std::unique_ptr<Communicator> make_nccl_communicator(Ctx& ctx, std::unique_ptr<Communicator> host);

// The communicator a job on ctx uses: `world` itself on the cpu or on one rank; on cuda with several
// ranks, NCCL over it (UserError naming -DAWS_NCCL in a build without NCCL). With several ranks every
// rank must call it: it first checks that all run on the same kind of device (UserError naming the
// first that does not).
std::unique_ptr<Communicator> make_device_communicator(Ctx& ctx, std::unique_ptr<Communicator> world);

// The device a rank of a `world_size`-rank job runs on: `d` itself on the cpu or alone; on cuda with
// several ranks, the GPU of this rank's local index (launcher_local_rank: one GPU per rank).
DeviceSpec device_of_rank(DeviceSpec d, int world_size);

// This rank's index among the ranks of its node (OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, MPI_LOCALRANKID;
// 0 when none is set): the GPU a rank takes with --device cuda.
int launcher_local_rank();

// For a job's top level, inside a catch handler: on one rank, rethrows the exception being handled; on
// several, prints "aws: rank R: <what>" and ends every rank (Communicator::abort: exit 2 for a
// UserError, 1 otherwise), so one failing rank never leaves the others waiting in a collective.
[[noreturn]] void end_job(Communicator& c, const std::exception& e);

// The world size a launcher announces in the environment (1 when none does); `variable`, when given,
// receives the variable that said so ("" when none did).
int launcher_world_size(std::string* variable = nullptr);

// How long (s) a rank waits in one collective for the others before it gives up and ends the job:
// AWS_RANK_TIMEOUT (a positive number), default 1800. A collective waits for the slowest rank, so the
// value must exceed the longest work between two collectives (a stage-2 trajectory; docs/DISTRIBUTED.md).
// UserError naming AWS_RANK_TIMEOUT when it is not a positive number.
double rank_timeout_seconds();

// All-gathers every rank's `value` and returns the first rank whose value differs from rank 0's, or −1
// when all agree; every rank gets the same answer. How the ranks check that they hold the same thing
// (a hash of a state, a configuration, a device kind); each caller words its own error.
int first_rank_differing(Communicator& c, Ctx& ctx, uint64_t value);

// Checks shared by the implementations (communicator.cpp); throw Error naming the collective.
void check_collective_dtype(const char* op, const Tensor& t);
void check_reduce(const char* op, const Tensor& t, ReduceOp r);  // dtype, and no i32 mean
void check_allgather(const Communicator& c, const Tensor& in, const Tensor& out);
void check_root(const Communicator& c, int root);

}  // namespace aws

// How the world communicator reaches MPI: with MPI built in, AWS_MPI_CALL(fn, (args...)) calls
// fn(args...); without it, it throws naming the build option (as AWS_CUDA_CALL does for cuda).
#if defined(AWS_WITH_MPI)
#define AWS_MPI_CALL(fn, args) fn args
#else
#define AWS_MPI_CALL(fn, args) ::aws::mpi_not_built<decltype(fn args)>(#fn)
namespace aws {
template <class R>
[[noreturn]] R mpi_not_built(const char* fn) {
  throw UserError(std::string("this binary was built without MPI (") + fn +
                  "); rebuild with -DAWS_MPI=ON (Debian: openmpi-bin, libopenmpi-dev) to run as several ranks");
}
}  // namespace aws
#endif
