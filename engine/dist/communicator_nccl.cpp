// The nccl communicator (communicator.h): device tensors through NCCL (kernels/nccl_collectives.h),
// host tensors, barriers and aborts through the host communicator it wraps (MPI), which also carries
// the NCCL unique id from rank 0 at creation. A watchdog (watchdog.h) ends the job on NCCL's asynchronous
// error, a failed event query, or when a queued collective has not finished within rank_timeout_seconds.
// Built only with AWS_NCCL (and the cuda backend).
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "engine/dist/communicator.h"
#include "engine/dist/watchdog.h"
#include "engine/runtime/stream.h"
#include "kernels/nccl_collectives.h"

namespace aws {

namespace {

NcclType nccl_type_of(const Tensor& t) {
  switch (t.dtype) {
    case DType::f32: return NcclType::f32;
    case DType::f64: return NcclType::f64;
    case DType::i32: return NcclType::i32;
    default: throw Error(std::string("nccl: ") + dtype_name(t.dtype) + " is not reduced (f32, f64, i32)");
  }
}

// The collectives queued on the stream, for the watchdog. NCCL returns once a collective is queued, so
// a peer that never comes shows as a collective that stays unfinished while the rank's thread waits in
// a stream synchronization. The probe measures the wait of the oldest unfinished collective (not of the
// latest: on a busy GPU the host runs ahead and the latest one is nearly always pending). Collective k
// here is collective k of nccl_collectives' count: both advance once per collective that was queued.
class NcclQueue {
 public:
  void queued(const char* op) {
    std::lock_guard<std::mutex> l(m_);
    ops_[queued_ % kNcclEventRing] = {op, Clock::now()};
    ++queued_;
  }
  // "" while the oldest unfinished collective waited at most `timeout`, else the overdue line.
  std::string probe(NcclComm* c, double timeout) {
    std::lock_guard<std::mutex> l(m_);
    const int64_t n = queued_;
    finished_ = std::max(finished_, n - kNcclEventRing / 2);  // older events may record newer collectives
    std::string error;
    while (finished_ < n && nccl_finished(c, finished_, error)) ++finished_;
    if (!error.empty()) return error + "; ending the job";
    if (finished_ == n) return "";
    const Op& o = ops_[finished_ % kNcclEventRing];
    return overdue_collective(o.name, seconds_since(o.since), timeout);
  }

 private:
  struct Op {
    const char* name = "";
    Clock::time_point since;
  };
  std::mutex m_;
  Op ops_[kNcclEventRing];
  int64_t queued_ = 0, finished_ = 0;
};

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(Ctx& ctx, std::unique_ptr<Communicator> host, NcclComm* comm)
      : ctx_(ctx), host_(std::move(host)), comm_(comm) {
    const double timeout = rank_timeout_seconds();
    watchdog_ = std::make_unique<Watchdog>(host_->rank(), [this, timeout] {
      const std::string e = nccl_async_error(comm_);
      return e.empty() ? queue_.probe(comm_, timeout) : "NCCL: " + e + "; ending the job";
    });
  }
  ~NcclCommunicator() override {
    watchdog_.reset();  // before the communicator it probes
    nccl_comm_destroy(comm_);
  }
  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  std::string backend() const override { return "nccl"; }

  void allreduce(Ctx& ctx, Tensor& t, ReduceOp op) override {
    check_reduce("allreduce", t, op);
    if (t.device != Device::cuda) return host_->allreduce(ctx, t, op);
    nccl_allreduce(ctx, comm_, t.data, size_t(t.numel()), nccl_type_of(t),
                   op == ReduceOp::sum ? NcclOp::sum : op == ReduceOp::max ? NcclOp::max : NcclOp::avg);
    queue_.queued("allreduce");
  }
  void allgather(Ctx& ctx, const Tensor& in, Tensor& out) override {
    check_allgather(*this, in, out);
    if (in.device != out.device) throw Error("allgather: in and out on different devices");
    if (in.device != Device::cuda) return host_->allgather(ctx, in, out);
    nccl_allgather(ctx, comm_, in.data, out.data, in.bytes(), NcclType::u8);
    queue_.queued("allgather");
  }
  void broadcast(Ctx& ctx, Tensor& t, int root) override {
    check_root(*this, root);
    if (t.device != Device::cuda) return host_->broadcast(ctx, t, root);
    nccl_broadcast(ctx, comm_, t.data, t.bytes(), NcclType::u8, root);
    queue_.queued("broadcast");
  }
  void barrier() override {
    ctx_.sync();  // the collectives queued on the stream first
    host_->barrier();
  }
  std::unique_ptr<Communicator> split(int color, int key) override {
    std::unique_ptr<Communicator> h = host_->split(color, key);
    return std::make_unique<NcclCommunicator>(ctx_, std::move(h), nccl_comm_split(comm_, color, key));
  }
  // MPI_Abort ends every rank's process, whose CUDA context goes with it: no NCCL abort first (it can
  // hang on a communicator whose peer is gone, and then MPI_Abort would never come).
  void abort(int code) override {
    watchdog_.reset();
    host_->abort(code);
  }

 private:
  Ctx& ctx_;
  std::unique_ptr<Communicator> host_;
  NcclComm* comm_;
  NcclQueue queue_;
  std::unique_ptr<Watchdog> watchdog_;  // probes comm_ and queue_
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(Ctx& ctx, std::unique_ptr<Communicator> host) {
  std::vector<int32_t> id(kNcclIdBytes / 4, 0);
  if (host->rank() == 0) nccl_unique_id(reinterpret_cast<uint8_t*>(id.data()));
  Tensor t(id.data(), Shape{int64_t(id.size())}, DType::i32);
  host->broadcast(ctx, t, 0);
  NcclComm* c = nccl_comm_create(ctx, reinterpret_cast<const uint8_t*>(id.data()), host->rank(), host->size());
  return std::make_unique<NcclCommunicator>(ctx, std::move(host), c);
}

}  // namespace aws
