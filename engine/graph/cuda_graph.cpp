// The graph facade: backend dispatch for CudaGraph (kernels/cuda_graph.cu does the CUDA calls).
#include "engine/graph/cuda_graph.h"

#include "core/cuda_dispatch.h"

namespace aws {

CudaGraph::~CudaGraph() {
  if (s_) AWS_CUDA_CALL(cuda_graph_destroy, (s_));
}

bool CudaGraph::usable(const Ctx& ctx) {
  return ctx.is_cuda() && AWS_CUDA_CALL(cuda_graph_capture_allowed, (ctx.cuda));
}

void CudaGraph::begin(Ctx& ctx) {
  if (!usable(ctx)) throw Error("cuda graph: capture needs a cuda context without AWS_SYNC_DEBUG");
  AWS_CUDA_CALL(cuda_graph_begin, (ctx, s_));
}

void CudaGraph::end(Ctx& ctx) {
  const int r = AWS_CUDA_CALL(cuda_graph_end, (ctx, s_));
  if (r == 0) return void(++updates_);
  ++instantiations_;
  if (r >= 2) ++refusals_, last_refusal_ = r - 2;
}

void CudaGraph::abort(Ctx& ctx) { AWS_CUDA_CALL(cuda_graph_abort, (ctx, s_)); }

void CudaGraph::launch(Ctx& ctx) {
  if (!ready()) throw Error("cuda graph: launch before a successful capture");
  AWS_CUDA_CALL(cuda_graph_launch, (ctx, s_));
}

bool CudaGraph::ready() const { return s_ && AWS_CUDA_CALL(cuda_graph_ready, (s_)); }

}  // namespace aws
