// The MPI communicator (communicator.h) on host buffers: the cpu backend's collectives and the
// bootstrap of device ones. Every MPI call is checked (MPI_CHECK: the call, its error string, file:line);
// the communicators return errors instead of aborting (MPI_ERRORS_RETURN), so a failure is an Error.
// A watchdog thread per communicator ends the process when one collective has waited longer than
// rank_timeout_seconds (a rank that stopped or hung): it prints a line naming the collective and calls
// _exit(1), and mpirun then ends every rank. The collectives themselves stay MPI's blocking ones: the
// non-blocking ones (waited for with a deadline) measured 1.4–2.4× slower on large messages (`aws
// bench allreduce`), and MPI_Abort may not be called from the watchdog's thread (MPI_THREAD_FUNNELED).
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "engine/dist/communicator.h"

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

// Watches one communicator's collectives: begin/end bracket each; a wait past `timeout` seconds ends
// the process (see the file comment).
class Watchdog {
 public:
  explicit Watchdog(double timeout) : timeout_(timeout), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void begin(const char* op, int rank) {
    std::lock_guard<std::mutex> l(m_);
    op_ = op, rank_ = rank, since_ = std::chrono::steady_clock::now(), busy_ = true;
  }
  void end() {
    std::lock_guard<std::mutex> l(m_);
    busy_ = false;
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> l(m_);
    while (!stop_) {
      cv_.wait_for(l, std::chrono::milliseconds(200));
      if (!busy_) continue;
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
      if (waited <= timeout_) continue;
      std::fprintf(stderr, "aws: rank %d: %s: no answer from the other ranks for %.0f s (AWS_RANK_TIMEOUT=%g): a rank "
                   "stopped, hung or died; ending the job\n", rank_, op_, waited, timeout_);
      std::fflush(stderr);
      ::_exit(1);  // mpirun ends the other ranks
    }
  }
  const double timeout_;
  std::mutex m_;
  std::condition_variable cv_;
  const char* op_ = "";
  int rank_ = 0;
  std::chrono::steady_clock::time_point since_;
  bool busy_ = false, stop_ = false;
  std::thread thread_;  // last: started once the rest is initialized
};

class MpiCommunicator final : public Communicator {
 public:
  // owns_mpi: this is the world communicator that initialized MPI, and finalizes it.
  MpiCommunicator(MPI_Comm comm, bool owns_comm, bool owns_mpi)
      : comm_(comm), owns_comm_(owns_comm), owns_mpi_(owns_mpi), watchdog_(rank_timeout_seconds()) {
    MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
    MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
    MPI_CHECK(MPI_Comm_size(comm_, &size_));
  }
  ~MpiCommunicator() override {
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
    Watched(MpiCommunicator& c, const char* op) : c_(c) { c_.watchdog_.begin(op, c_.rank_); }
    ~Watched() { c_.watchdog_.end(); }
    MpiCommunicator& c_;
  };

  MPI_Comm comm_;
  bool owns_comm_, owns_mpi_;
  int rank_ = 0, size_ = 1;
  Watchdog watchdog_;
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
