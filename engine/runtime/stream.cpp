// ScopedStream, bind_device and stream_synchronize (stream.h) over kernels/cuda_context.cu.
#include "engine/runtime/stream.h"

#include "core/cuda_dispatch.h"
#include "core/error.h"
#include "kernels/cuda_state.h"

namespace aws {

ScopedStream::ScopedStream(Ctx& ctx, void* stream) : ctx_(ctx) {
  if (!ctx.is_cuda()) throw Error("ScopedStream: a cpu context has no stream");
  previous_ = AWS_CUDA_CALL(cuda_state_swap_stream, (ctx.cuda, stream));
}

ScopedStream::~ScopedStream() { AWS_CUDA_CALL(cuda_state_swap_stream, (ctx_.cuda, previous_)); }

void bind_device(Ctx& ctx) {
  if (ctx.is_cuda()) AWS_CUDA_CALL(cuda_state_bind_device, (ctx.cuda));
}

void stream_synchronize(void* stream) { AWS_CUDA_CALL(cuda_stream_synchronize, (stream)); }

}  // namespace aws
