// Facade helper: the real-valued tensors of an op are f32 on either backend, or f64 on the cpu only
// (the finite-difference gradient checker runs the cpu ops in double). Returns the dtype to use for
// the op's other real tensors, which are then checked with check_dtype.
#pragma once
#include <string>

#include "engine/core/context.h"
#include "engine/core/tensor.h"

namespace aws {

inline DType check_real_dtype(const char* op, const Ctx& ctx, const char* name, const Tensor& t) {
  if (t.dtype == DType::f32) return t.dtype;
  if (t.dtype == DType::f64 && !ctx.is_cuda()) return t.dtype;
  throw Error(std::string(op) + ": " + name + " is " + dtype_name(t.dtype) + ", expected f32" +
              (ctx.is_cuda() ? " (f64 runs on the cpu backend only)" : " or f64"));
}

}  // namespace aws
