// Per-element body of inverted dropout, shared by the cpu loop and the cuda kernel. The keep decision
// of element i is a pure function of (key, i): Philox counter (i/4, i >> 34), lane i mod 4, so both
// backends and any thread count draw the same mask.
#pragma once
#include <cstdint>

#include "core/hd.h"
#include "core/rng.h"

namespace aws {

// True when element i is kept (probability 1 − p).
AWS_HD bool dropout_keep(uint64_t key, int64_t i, float p) {
  const uint64_t u = uint64_t(i);
  const Rand4 r = philox4x32(key, uint32_t(u >> 2), uint32_t(u >> 34));
  return rand_unit(r.v[u & 3]) >= p;
}

// The scale applied to kept elements, 1/(1 − p); 0 for p = 1 (everything dropped).
template <class T>
AWS_HD T dropout_scale(float p) {
  return p < 1.0f ? T(1) / (T(1) - T(p)) : T(0);
}

}  // namespace aws
