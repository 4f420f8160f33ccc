// Facade helpers: the real-valued tensors of an op are f32 on either backend, or f64 on the cpu only
// (the finite-difference gradient checker runs the cpu ops in double). Returns the dtype to use for
// the op's other real tensors, which are then checked with check_dtype.
// Activations (not parameters or statistics) may also be bf16 on cuda: the half-precision mode.
#pragma once
#include <string>

#include "core/context.h"
#include "core/tensor.h"

namespace aws {

inline DType check_real_dtype(const char* op, const Ctx& ctx, const char* name, const Tensor& t) {
  if (t.dtype == DType::f32) return t.dtype;
  if (t.dtype == DType::f64 && !ctx.is_cuda()) return t.dtype;
  throw Error(std::string(op) + ": " + name + " is " + dtype_name(t.dtype) + ", expected f32" +
              (ctx.is_cuda() ? " (f64 runs on the cpu backend only)" : " or f64"));
}

// An activation tensor: what check_real_dtype accepts, or bf16 on cuda. The op's per-channel
// parameters and statistics then stay f32 (param_dtype).
inline DType check_act_dtype(const char* op, const Ctx& ctx, const char* name, const Tensor& t) {
  if (t.dtype == DType::bf16) {
    if (ctx.is_cuda()) return t.dtype;
    throw Error(std::string(op) + ": " + name + " is bf16, which runs on the cuda backend only");
  }
  return check_real_dtype(op, ctx, name, t);
}

// The dtype of parameters, statistics and reductions next to activations of dtype `act`.
inline DType param_dtype(DType act) { return act == DType::bf16 ? DType::f32 : act; }

}  // namespace aws
