// A captured CUDA graph of work queued on a context's stream (engine side; no CUDA types here, the
// state is opaque as in core/context.h). capture() records what `body` queues instead of
// running it; the first capture instantiates an executable graph, later captures update that
// executable in place (cudaGraphExecUpdate: same topology, new kernel arguments such as a new
// epoch's RNG key) and re-instantiate only when the update is refused; launch() replays it.
// Capture uses cudaStreamCaptureModeThreadLocal: a forbidden call made by this thread inside the
// captured region (a cudaMalloc, a stream synchronization, a pageable copy) fails loudly instead of
// being recorded, while other threads (another context's fine-tune, a library's own thread) stay free
// to allocate, which the Global mode would forbid for the whole process during our capture.
// Graphs need the cuda backend and are off under AWS_SYNC_DEBUG=1: that mode synchronizes the stream
// after every op (kernels/cuda_check.h), which is illegal inside a capture (usable() says false).
#pragma once
#include <cstdint>

#include "core/context.h"
#include "kernels/cuda_graph.h"

namespace aws {

class CudaGraph {
 public:
  CudaGraph() = default;
  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  // Whether graphs can run on `ctx`: a cuda context without AWS_SYNC_DEBUG.
  static bool usable(const Ctx& ctx);

  // Records what body() queues on ctx's stream (nothing runs) and makes it the executable graph.
  // If body throws, the capture is ended and discarded, the previous executable is kept, and the
  // exception propagates.
  template <class Body>
  void capture(Ctx& ctx, Body&& body) {
    begin(ctx);
    try {
      body();
    } catch (...) {
      abort(ctx);
      throw;
    }
    end(ctx);
  }
  // Queues one replay on ctx's stream.
  void launch(Ctx& ctx);
  bool ready() const;

  // Counters for tests and logs: executables instantiated, in-place updates that succeeded.
  int64_t instantiations() const { return instantiations_; }
  int64_t updates() const { return updates_; }
  // Updates refused by CUDA (each followed by a re-instantiation, also counted above) and the last
  // refusal's cudaGraphExecUpdateResult code (0 when none), so a test can say why.
  int64_t refusals() const { return refusals_; }
  int last_refusal() const { return last_refusal_; }

 private:
  void begin(Ctx& ctx);
  void end(Ctx& ctx);
  void abort(Ctx& ctx);

  CudaGraphState* s_ = nullptr;
  int64_t instantiations_ = 0, updates_ = 0, refusals_ = 0;
  int last_refusal_ = 0;
};

}  // namespace aws
