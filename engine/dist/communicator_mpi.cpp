// The MPI communicator (communicator.h) on host buffers: the cpu backend's collectives and the
// bootstrap of device ones. Every MPI call is checked (MPI_CHECK: the call, its error string, file:line);
// the communicators return errors instead of aborting (MPI_ERRORS_RETURN), so a failure is an Error.
// A watchdog (watchdog.h) per communicator ends the process when one collective has waited longer than
// rank_timeout_seconds (a rank that stopped or hung), naming the collective. The collectives themselves
// stay MPI's blocking ones: the non-blocking ones (waited for with a deadline) measured 1.4–2.4× slower on
// large messages (`aws bench allreduce`).
#include <mpi.h>

#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "engine/dist/communicator.h"
#include "engine/dist/watchdog.h"

namespace aws {

namespace {

[[noreturn]] void mpi_fail(const char* call, int rc, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  throw Error(std::string(call) + " failed: " + std::string(text, size_t(len)) + " (" + file + ":" +
              std::to_string(line) + ")");
}

#define MPI_CHECK(call)                                                       \
  do {                                                                        \
    const int mpi_rc_ = (call);                                               \
    if (mpi_rc_ != MPI_SUCCESS) mpi_fail(#call, mpi_rc_, __FILE__, __LINE__); \
  } while (0)

MPI_Datatype mpi_type(DType t) {
  switch (t) {
    case DType::f32: return MPI_FLOAT;
    case DType::f64: return MPI_DOUBLE;
    case DType::i32: return MPI_INT32_T;
    default: return MPI_BYTE;
  }
}

void host_only(const char* op, const Tensor& t) {
  if (t.device != Device::cpu)
    throw Error(std::string(op) + ": the MPI communicator takes host tensors (device tensors go through NCCL)");
}

// MPI counts are int: larger messages would need chunking, which no caller needs yet.
int count_of(const char* op, int64_t n) {
  if (n > int64_t(INT32_MAX))
    throw Error(std::string(op) + ": " + std::to_string(n) + " elements exceed MPI's int count");
  return int(n);
}

// One blocking collective in flight at a time (the calling thread's), for the watchdog's probe.
class InFlight {
 public:
  void begin(const char* op) {
    std::lock_guard<std::mutex> l(m_);
    op_ = op, since_ = Clock::now(), busy_ = true;
  }
  void end() {
    std::lock_guard<std::mutex> l(m_);
    busy_ = false;
  }
  std::string overdue(double timeout) {
    std::lock_guard<std::mutex> l(m_);
    return busy_ ? overdue_collective(op_, seconds_since(since_), timeout) : std::string();
  }

 private:
  std::mutex m_;
  const char* op_ = "";
  Clock::time_point since_;
  bool busy_ = false;
};

class MpiCommunicator final : public Communicator {
 public:
  // owns_mpi: this is the world communicator that initialized MPI, and finalizes it.
  MpiCommunicator(MPI_Comm comm, bool owns_comm, bool owns_mpi)
      : comm_(comm), owns_comm_(owns_comm), owns_mpi_(owns_mpi) {
    MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
    MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
    MPI_CHECK(MPI_Comm_size(comm_, &size_));
    const double timeout = rank_timeout_seconds();
    watchdog_ = std::make_unique<Watchdog>(rank_, [this, timeout] { return in_flight_.overdue(timeout); });
  }
  ~MpiCommunicator() override {
    watchdog_.reset();
    if (owns_comm_) MPI_Comm_free(&comm_);  // destructors do not throw: results are not checked here
    if (owns_mpi_) {
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized) MPI_Finalize();
    }
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "mpi"; }

  void allreduce(Ctx&, Tensor& t, ReduceOp op) override {
    check_reduce("allreduce", t, op);
    host_only("allreduce", t);
    // MPI_SUM's order for a given communicator size is fixed by the library's algorithm choice, which
    // depends only on the message size and the size: a rerun at the same size gives the same bits.
    Watched w(*this, "allreduce");
    MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, t.data, count_of("allreduce", t.numel()), mpi_type(t.dtype),
                            op == ReduceOp::max ? MPI_MAX : MPI_SUM, comm_));
    if (op == ReduceOp::mean) {
      const int64_t n = t.numel();
      if (t.dtype == DType::f32) {
        const float inv = 1.0f / float(size_);
        for (int64_t i = 0; i < n; ++i) t.f32()[i] *= inv;
      } else {
        const double inv = 1.0 / double(size_);
        for (int64_t i = 0; i < n; ++i) static_cast<double*>(t.data)[i] *= inv;
      }
    }
  }
  void allgather(Ctx&, const Tensor& in, Tensor& out) override {
    check_allgather(*this, in, out);
    host_only("allgather", in);
    host_only("allgather", out);
    const int bytes = count_of("allgather", int64_t(in.bytes()));
    Watched w(*this, "allgather");
    MPI_CHECK(MPI_Allgather(in.data, bytes, MPI_BYTE, out.data, bytes, MPI_BYTE, comm_));
  }
  void broadcast(Ctx&, Tensor& t, int root) override {
    check_root(*this, root);
    host_only("broadcast", t);
    Watched w(*this, "broadcast");
    MPI_CHECK(MPI_Bcast(t.data, count_of("broadcast", int64_t(t.bytes())), MPI_BYTE, root, comm_));
  }
  void barrier() override {
    Watched w(*this, "barrier");
    MPI_CHECK(MPI_Barrier(comm_));
  }
  void abort(int code) override { MPI_Abort(comm_, code); }
  std::unique_ptr<Communicator> split(int color, int key) override {
    if (color < 0) throw Error("split: color " + std::to_string(color) + " is negative");
    MPI_Comm sub = MPI_COMM_NULL;
    {
      Watched w(*this, "split");
      MPI_CHECK(MPI_Comm_split(comm_, color, key, &sub));
    }
    return std::make_unique<MpiCommunicator>(sub, true, false);
  }

 private:
  // Brackets one collective for the watchdog (also when MPI_CHECK throws).
  struct Watched {
    Watched(MpiCommunicator& c, const char* op) : c_(c) { c_.in_flight_.begin(op); }
    ~Watched() { c_.in_flight_.end(); }
    MpiCommunicator& c_;
  };

  MPI_Comm comm_;
  bool owns_comm_, owns_mpi_;
  int rank_ = 0, size_ = 1;
  InFlight in_flight_;
  std::unique_ptr<Watchdog> watchdog_;  // probes in_flight_; made once rank_ is known
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() {
  int initialized = 0;
  MPI_CHECK(MPI_Initialized(&initialized));
  bool owns = false;
  if (!initialized) {
    int provided = 0;
    MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided));
    owns = true;
  }
  return std::make_unique<MpiCommunicator>(MPI_COMM_WORLD, false, owns);
}

}  // namespace aws
