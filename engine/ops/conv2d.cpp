// conv2d facade: validates shapes, dtypes and parameters once, then dispatches: cuda → cuDNN,
// cpu f32 → oneDNN when built (else the direct loops), cpu f64 → the direct loops (gradient checks);
// bf16 (x, w and y alike) is the cuda backend's half-precision mode.
#include "engine/ops/conv2d.h"

#include "core/cuda_dispatch.h"
#include "engine/ops/dnnl_state.h"

namespace aws {

namespace {

// Checks x [N,H,W,C], w [K,R,S,C], y [N,P,Q,K] (y may be dy), dtypes and devices.
void check_conv(const char* op, const Conv2dParams& p, const Tensor& x, const char* xn, const Tensor& w,
                const char* wn, const Tensor& y, const char* yn) {
  check_rank(op, xn, x, 4);
  check_rank(op, wn, w, 4);
  if (p.stride < 1 || p.pad < 0)
    throw Error(std::string(op) + ": stride " + std::to_string(p.stride) + " / pad " + std::to_string(p.pad) +
                " invalid (need stride >= 1, pad >= 0)");
  if (x.dtype != DType::f32 && x.dtype != DType::f64 && x.dtype != DType::bf16)
    throw Error(std::string(op) + ": " + xn + " is " + dtype_name(x.dtype) + ", expected f32 (f64 on cpu, bf16 on cuda)");
  if (x.dtype == DType::f64 && x.device != Device::cpu)
    throw Error(std::string(op) + ": f64 runs on cpu only");
  if (x.dtype == DType::bf16 && x.device != Device::cuda)
    throw Error(std::string(op) + ": bf16 runs on cuda only");
  check_dtype(op, wn, w, x.dtype);
  check_dtype(op, yn, y, x.dtype);
  check_same_device(op, x, w);
  check_same_device(op, x, y);
  if (w.dim(3) != x.dim(3))
    throw Error(std::string(op) + ": " + wn + " dim 3 (C) is " + std::to_string(w.dim(3)) + ", " + xn +
                " has C = " + std::to_string(x.dim(3)));
  const int64_t P = conv2d_out_size(x.dim(1), w.dim(1), p.stride, p.pad);
  const int64_t Q = conv2d_out_size(x.dim(2), w.dim(2), p.stride, p.pad);
  if (P < 1 || Q < 1)
    throw Error(std::string(op) + ": kernel " + std::to_string(w.dim(1)) + "x" + std::to_string(w.dim(2)) +
                " does not fit input " + x.shape.str() + " with pad " + std::to_string(p.pad));
  check_shape(op, yn, y, Shape{x.dim(0), P, Q, w.dim(0)});
}

bool use_dnnl(const Tensor& x) { return AWS_DNNL_BUILT && x.dtype == DType::f32; }

}  // namespace

void conv2d_forward(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a) {
  check_conv("conv2d_forward", p, a.x, "x", a.w, "w", a.y, "y");
  if (ctx.is_cuda()) return AWS_CUDA_CALL(conv2d_forward_cuda, (ctx, p, a));
  if (use_dnnl(a.x)) return AWS_DNNL_CALL(conv2d_forward_dnnl, (ctx, p, a));
  conv2d_forward_direct(ctx, p, a);
}

void conv2d_backward_data(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a) {
  check_conv("conv2d_backward_data", p, a.dx, "dx", a.w, "w", a.dy, "dy");
  if (ctx.is_cuda()) return AWS_CUDA_CALL(conv2d_backward_data_cuda, (ctx, p, a));
  if (use_dnnl(a.dx)) return AWS_DNNL_CALL(conv2d_backward_data_dnnl, (ctx, p, a));
  conv2d_backward_data_direct(ctx, p, a);
}

void conv2d_backward_weights(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a) {
  check_conv("conv2d_backward_weights", p, a.x, "x", a.dw, "dw", a.dy, "dy");
  if (ctx.is_cuda()) return AWS_CUDA_CALL(conv2d_backward_weights_cuda, (ctx, p, a));
  if (use_dnnl(a.x)) return AWS_DNNL_CALL(conv2d_backward_weights_dnnl, (ctx, p, a));
  conv2d_backward_weights_direct(ctx, p, a);
}

}  // namespace aws
