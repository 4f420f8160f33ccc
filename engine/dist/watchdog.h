// What ends a job whose ranks wait for one another forever (a rank stopped, hung or died; DESIGN.md
// "Beyond one GPU"): a thread per communicator that asks, every 200 ms, whether the process must end;
// when it must, it prints one line and ends the process with _exit(1), which takes the CUDA context and
// its waiting kernels with it (no NCCL abort first: that can hang when a peer is gone). The launcher
// (mpirun, srun) then ends the other ranks. A thread and _exit because the stuck thread sits inside a blocking call
// (MPI_Allreduce, a stream synchronization) and MPI_Abort may not be called from another thread
// (MPI_THREAD_FUNNELED).
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace aws {

class Watchdog {
 public:
  // probe: called on the watchdog's thread; "" while all is well, else why the job ends (printed as
  // "aws: rank R: <why>").
  Watchdog(int rank, std::function<std::string()> probe);
  ~Watchdog();  // stops the thread and waits for it
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void watch();
  const int rank_;
  const std::function<std::string()> probe_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is initialized
};

// The line for a collective `op` that has waited `waited` seconds, past rank_timeout_seconds() =
// `timeout`: "" while waited ≤ timeout.
std::string overdue_collective(const char* op, double waited, double timeout);

}  // namespace aws
