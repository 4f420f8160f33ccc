// f32 <-> bf16 on the GPU: a grid-stride loop over the conversion bodies of kernels/bf16_ops.h.
#include "kernels/cast.h"
#include "kernels/bf16_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

template <class S, class D>
static __global__ void cast_kernel(const S* x, D* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = from_f32<D>(to_f32(x[i]));
}

void cast_cuda(Ctx& ctx, const CastArgs& a) {
  const int64_t n = a.x.numel();
  if (n == 0) return;
  if (a.x.dtype == DType::f32)
    cast_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(a.x.f32(), a.y.as<bf16>(), n);
  else
    cast_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(a.x.as<bf16>(), a.y.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "cast");
}

}  // namespace aws
