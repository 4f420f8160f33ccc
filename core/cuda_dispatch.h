// How a facade reaches its cuda implementation. With the cuda backend compiled in,
// AWS_CUDA_CALL(fn, (args...)) calls fn(args...); without it, it throws "not built" naming the op,
// so facades need no #ifdef and no stub files. A missing cuda op is an error, never a cpu fallback.
#pragma once
#include <string>

#include "core/error.h"

namespace aws {
// Returns R only in type: decltype keeps the cuda declaration unevaluated, so nothing needs linking.
template <class R>
[[noreturn]] R cuda_not_built(const char* fn) {
  throw UserError(std::string("--device cuda: this binary was built without the cuda backend (") + fn +
                  "); rebuild with -DAWS_CUDA=ON on a machine with the CUDA toolkit");
}
}  // namespace aws

#if defined(AWS_WITH_CUDA)
#define AWS_CUDA_CALL(fn, args) fn args
#else
#define AWS_CUDA_CALL(fn, args) ::aws::cuda_not_built<decltype(fn args)>(#fn)
#endif
