// CUDA-graph capture, update and replay on a context's stream (facade: engine/graph/cuda_graph.h).
// One executable per CudaGraph: the first capture instantiates it, later captures of the same step
// (a new epoch's key or plan changes only kernel arguments) update it in place with
// cudaGraphExecUpdate, and a refused update (another topology) re-instantiates.
#include "kernels/cuda_graph.h"
#include "kernels/cuda_context.h"

namespace aws {

struct CudaGraphState {
  cudaGraphExec_t exec = nullptr;
  bool capturing = false;
};

bool cuda_graph_capture_allowed(const CudaState* s) { return s && !s->sync_debug; }

void cuda_graph_begin(Ctx& ctx, CudaGraphState*& s) {
  if (!s) s = new CudaGraphState;
  AWS_ASSERT(!s->capturing, "cuda graph: capture already in progress");
  // ThreadLocal: see engine/graph/cuda_graph.h.
  CUDA_CHECK(cudaStreamBeginCapture(stream_of(ctx), cudaStreamCaptureModeThreadLocal));
  s->capturing = true;
}

int cuda_graph_end(Ctx& ctx, CudaGraphState* s) {
  AWS_ASSERT(s && s->capturing, "cuda graph: end without begin");
  s->capturing = false;
  cudaGraph_t g = nullptr;
  CUDA_CHECK(cudaStreamEndCapture(stream_of(ctx), &g));
  int instantiated = 0, refusal = 0;
  try {
    bool updated = false;
    if (s->exec) {
      cudaGraphExecUpdateResultInfo info{};
      const cudaError_t e = cudaGraphExecUpdate(s->exec, g, &info);
      if (e == cudaSuccess) {
        updated = true;
      } else {
        (void)cudaGetLastError();  // clear the refused update so the next launch check does not report it
        refusal = 2 + int(info.result);  // why (cudaGraphExecUpdateResult), for the caller's counters
        CUDA_CHECK(cudaGraphExecDestroy(s->exec));
        s->exec = nullptr;
      }
    }
    if (!updated) {
      CUDA_CHECK(cudaGraphInstantiate(&s->exec, g, 0));
      instantiated = 1;
    }
  } catch (...) {
    cudaGraphDestroy(g);
    throw;
  }
  CUDA_CHECK(cudaGraphDestroy(g));  // the executable keeps what it needs
  return refusal ? refusal : instantiated;
}

void cuda_graph_abort(Ctx& ctx, CudaGraphState* s) {
  if (!s || !s->capturing) return;
  s->capturing = false;
  cudaGraph_t g = nullptr;
  // The capture may already be invalidated (the error that brought us here): end it regardless.
  (void)cudaStreamEndCapture(stream_of(ctx), &g);
  if (g) (void)cudaGraphDestroy(g);
  (void)cudaGetLastError();
}

void cuda_graph_launch(Ctx& ctx, CudaGraphState* s) {
  CUDA_CHECK(cudaGraphLaunch(s->exec, stream_of(ctx)));
  AWS_LAUNCH_CHECK(ctx, "cuda graph replay");
}

bool cuda_graph_ready(const CudaGraphState* s) { return s && s->exec; }

void cuda_graph_destroy(CudaGraphState* s) {
  if (!s) return;
  if (s->exec) cudaGraphExecDestroy(s->exec);
  delete s;
}

}  // namespace aws
