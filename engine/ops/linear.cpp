// linear facade: checks x [N,in], w [out,in], b [out], y [N,out] and their gradients, then dispatches
// to the cpu loops (f32, or f64 for the gradient checker) or to cuBLASLt.
#include "engine/ops/linear.h"

#include "core/cuda_dispatch.h"

namespace aws {

namespace {

void check_linear(const char* op, const Tensor& x, const Tensor& w, const Tensor* b) {
  check_rank(op, "x", x, 2);
  check_rank(op, "w", w, 2);
  if (x.dtype != DType::f32 && x.dtype != DType::f64)
    throw Error(std::string(op) + ": x is " + dtype_name(x.dtype) + ", expected f32 (or f64 on cpu)");
  if (x.dtype == DType::f64 && x.device != Device::cpu) throw Error(std::string(op) + ": f64 runs on cpu only");
  check_dtype(op, "w", w, x.dtype);
  check_same_device(op, x, w);
  if (w.dim(1) != x.dim(1))
    throw Error(std::string(op) + ": w dim 1 (in) is " + std::to_string(w.dim(1)) + ", x has " +
                std::to_string(x.dim(1)) + " features");
  if (b) {
    check_shape(op, "b", *b, Shape{w.dim(0)});
    check_dtype(op, "b", *b, x.dtype);
    check_same_device(op, x, *b);
  }
}

void check_like(const char* op, const char* name, const Tensor& t, const Tensor& like, Shape want) {
  check_shape(op, name, t, want);
  check_dtype(op, name, t, like.dtype);
  check_same_device(op, like, t);
}

}  // namespace

void linear_forward(Ctx& ctx, const LinearForwardArgs& a) {
  check_linear("linear_forward", a.x, a.w, a.b);
  check_like("linear_forward", "y", a.y, a.x, Shape{a.x.dim(0), a.w.dim(0)});
  if (ctx.is_cuda()) return AWS_CUDA_CALL(linear_forward_cuda, (ctx, a));
  linear_forward_cpu(ctx, a);
}

void linear_backward(Ctx& ctx, const LinearBackwardArgs& a) {
  const char* op = "linear_backward";
  check_linear(op, a.x, a.w, a.db);
  check_like(op, "dy", a.dy, a.x, Shape{a.x.dim(0), a.w.dim(0)});
  check_like(op, "dw", a.dw, a.x, a.w.shape);
  if (a.dx) check_like(op, "dx", *a.dx, a.x, a.x.shape);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(linear_backward_cuda, (ctx, a));
  linear_backward_cpu(ctx, a);
}

}  // namespace aws
