// Residual add on the GPU over the shared body of kernels/add_ops.h (y may alias a or b);
// f32 or bf16 (added in f32, rounded once).
#include "kernels/add.h"
#include "kernels/bf16_ops.h"
#include "kernels/cuda_context.h"
#include "kernels/add_ops.h"

namespace aws {

template <class T>
static __global__ void add_kernel(const T* a, const T* b, T* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = from_f32<T>(add_fwd(to_f32(a[i]), to_f32(b[i])));
}

void add_forward_cuda(Ctx& ctx, const AddArgs& args) {
  const int64_t n = args.a.numel();
  if (n == 0) return;
  if (args.a.dtype == DType::bf16)
    add_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(args.a.as<bf16>(), args.b.as<bf16>(), args.y.as<bf16>(), n);
  else
    add_kernel<<<grid_for(n), 256, 0, stream_of(ctx)>>>(args.a.f32(), args.b.f32(), args.y.f32(), n);
  AWS_LAUNCH_CHECK(ctx, "add_forward");
}

}  // namespace aws
