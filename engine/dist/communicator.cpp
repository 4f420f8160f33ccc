// The single-rank communicator, the choice of the world communicator, and the checks every
// implementation shares (communicator.h).
#include "engine/dist/communicator.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace aws {

namespace {

class SingleCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "single"; }
  void allreduce(Ctx&, Tensor& t, ReduceOp op) override { check_reduce("allreduce", t, op); }
  void allgather(Ctx& ctx, const Tensor& in, Tensor& out) override {
    check_allgather(*this, in, out);
    if (in.data != out.data && in.bytes() > 0) {
      if (in.device == Device::cuda) throw Error("allgather: the single communicator takes host tensors");
      std::memcpy(out.data, in.data, in.bytes());
    }
    (void)ctx;
  }
  void broadcast(Ctx&, Tensor&, int root) override { check_root(*this, root); }
  void barrier() override {}
  std::unique_ptr<Communicator> split(int, int) override { return std::make_unique<SingleCommunicator>(); }
  void abort(int) override {}
};

// A positive integer from the environment, or 0 when unset or malformed.
int env_count(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n > 0 && n < (1L << 30)) ? int(n) : 0;
}

}  // namespace

std::unique_ptr<Communicator> make_single_communicator() { return std::make_unique<SingleCommunicator>(); }

void end_job(Communicator& c, const std::exception& e) {
  if (c.size() == 1) throw;
  std::fprintf(stderr, "aws: rank %d: %s\n", c.rank(), e.what());
  std::fflush(stderr);
  const int code = dynamic_cast<const UserError*>(&e) ? 2 : 1;
  c.abort(code);
  std::_Exit(code);  // not reached: abort ends the process
}

int launcher_world_size(std::string* variable) {
  if (variable) variable->clear();
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"})
    if (int n = env_count(v)) {
      if (variable) *variable = v;
      return n;
    }
  return 1;
}

std::unique_ptr<Communicator> make_device_communicator(Ctx& ctx, std::unique_ptr<Communicator> world) {
  if (world->size() == 1) return world;
  // Before NCCL's creation, which only the cuda ranks would call: every rank on the same kind of device.
  if (const int r = first_rank_differing(*world, ctx, ctx.is_cuda() ? 1 : 0); r >= 0)
    throw UserError("rank " + std::to_string(r) + " runs on another kind of --device than rank 0 (cpu and cuda "
                    "mixed): every rank must use the same kind of --device");
  if (!ctx.is_cuda()) return world;
#if defined(AWS_WITH_NCCL)
  return make_nccl_communicator(ctx, std::move(world));
#else
  throw UserError("--device cuda with " + std::to_string(world->size()) + " ranks: this binary was built without "
                  "NCCL; rebuild the cuda backend with -DAWS_NCCL=ON (NCCL from the CUDA toolkit)");
#endif
}

int launcher_local_rank() {
  for (const char* v : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"}) {
    const char* s = std::getenv(v);
    if (!s || !*s) continue;
    char* end = nullptr;
    const long n = std::strtol(s, &end, 10);
    if (*end == '\0' && n >= 0 && n < (1L << 20)) return int(n);
  }
  return 0;
}

DeviceSpec device_of_rank(DeviceSpec d, int world_size) {
  if (d.kind == Device::cuda && world_size > 1) d.gpu = launcher_local_rank();
  return d;
}

double rank_timeout_seconds() {
  const char* v = std::getenv("AWS_RANK_TIMEOUT");
  if (!v || !*v) return 1800;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  if (*end != '\0' || !(s > 0) || s > 1e9)
    throw UserError(std::string("AWS_RANK_TIMEOUT=") + v + ": not a positive number of seconds");
  return s;
}

std::unique_ptr<Communicator> make_world_communicator(int world_size) {
  if (world_size < 0) throw UserError("--world-size " + std::to_string(world_size) + ": not a rank count");
  std::string variable;
  const int expected = world_size > 0 ? world_size : launcher_world_size(&variable);
  if (expected == 1) return make_single_communicator();
  std::unique_ptr<Communicator> world = AWS_MPI_CALL(make_mpi_communicator, ());
  if (world->size() != expected) {
    const std::string said = world_size > 0 ? "--world-size " + std::to_string(world_size)
                                            : variable + "=" + std::to_string(expected) + " in the environment";
    throw UserError(said + ", but MPI started this process in a world of " + std::to_string(world->size()) +
                    (world->size() == 1 ? " rank" : " ranks") + ": start it with mpirun -np " +
                    std::to_string(expected) + " (srun: an MPI with Slurm's PMI, e.g. srun --mpi=pmix), or pass "
                    "--world-size 1 to run it alone");
  }
  return world;
}

int first_rank_differing(Communicator& c, Ctx& ctx, uint64_t value) {
  if (c.size() == 1) return -1;
  int32_t mine[2] = {int32_t(uint32_t(value)), int32_t(uint32_t(value >> 32))};  // no u64 collective dtype
  std::vector<int32_t> all(2 * size_t(c.size()));
  Tensor tm(mine, Shape{2}, DType::i32), ta(all.data(), Shape{int64_t(all.size())}, DType::i32);
  c.allgather(ctx, tm, ta);
  for (int r = 1; r < c.size(); ++r)
    if (all[size_t(2 * r)] != all[0] || all[size_t(2 * r + 1)] != all[1]) return r;
  return -1;
}

void check_reduce(const char* op, const Tensor& t, ReduceOp r) {
  check_collective_dtype(op, t);
  if (r == ReduceOp::mean && t.dtype == DType::i32) throw Error(std::string(op) + ": the mean of i32 is not an i32");
}

void check_collective_dtype(const char* op, const Tensor& t) {
  if (t.dtype != DType::f32 && t.dtype != DType::f64 && t.dtype != DType::i32)
    throw Error(std::string(op) + ": " + dtype_name(t.dtype) + " is not reduced (f32, f64, i32)");
  if (t.numel() > 0 && !t.data) throw Error(std::string(op) + ": the tensor has no memory");
}

void check_allgather(const Communicator& c, const Tensor& in, const Tensor& out) {
  if (out.dtype != in.dtype)
    throw Error(std::string("allgather: out is ") + dtype_name(out.dtype) + ", in is " + dtype_name(in.dtype));
  if (out.numel() != in.numel() * c.size())
    throw Error("allgather: out holds " + std::to_string(out.numel()) + " elements, " + std::to_string(c.size()) +
                " ranks × " + std::to_string(in.numel()) + " expected");
}

void check_root(const Communicator& c, int root) {
  if (root < 0 || root >= c.size())
    throw Error("broadcast: root " + std::to_string(root) + " is outside [0, " + std::to_string(c.size()) + ")");
}

}  // namespace aws
