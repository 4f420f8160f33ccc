// Per-element bodies of simple elementwise ops (residual add), shared by cpu loops and cuda kernels.
#pragma once
#include "engine/core/hd.h"

namespace aws {

template <class T>
AWS_HD T add_fwd(T a, T b) {
  return a + b;
}

}  // namespace aws
