// The cuda side of engine/graph/cuda_graph.h (kernels/cuda_graph.cu): stream capture, instantiation,
// in-place update and replay of one executable graph, reached through AWS_CUDA_CALL.
#pragma once
#include "core/context.h"

namespace aws {

struct CudaGraphState;  // opaque outside kernels/cuda_graph.cu

bool cuda_graph_capture_allowed(const CudaState* s);
void cuda_graph_begin(Ctx& ctx, CudaGraphState*& s);
// Ends the capture; returns 0 if the executable was updated in place, 1 if it was instantiated for
// the first time, 2 + the cudaGraphExecUpdateResult if an update was refused and it was re-instantiated.
int cuda_graph_end(Ctx& ctx, CudaGraphState* s);
void cuda_graph_abort(Ctx& ctx, CudaGraphState* s);
void cuda_graph_launch(Ctx& ctx, CudaGraphState* s);
bool cuda_graph_ready(const CudaGraphState* s);
void cuda_graph_destroy(CudaGraphState* s);

}  // namespace aws
