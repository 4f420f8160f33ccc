// Per-element body of inverted dropout, shared by the cpu loop and the cuda kernel. The keep decision
// of element i is a pure function of (step key, layer, i): Philox counter (i/4, i >> 34, layer), lane
// i mod 4, so both backends and any thread count draw the same mask.
#pragma once
#include <cstdint>

#include "core/hd.h"
#include "core/rng.h"

namespace aws {

// The 64-bit key held as i32[2] (low word, high word), as the staged step inputs hold it.
AWS_HD uint64_t dropout_key(const int32_t* words) {
  return uint64_t(uint32_t(words[0])) | (uint64_t(uint32_t(words[1])) << 32);
}

// True when element i is kept (probability 1 − p).
AWS_HD bool dropout_keep(uint64_t key, uint32_t layer, int64_t i, float p) {
  const uint64_t u = uint64_t(i);
  const Rand4 r = philox4x32(key, uint32_t(u >> 2), uint32_t(u >> 34), layer);
  return rand_unit(r.v[u & 3]) >= p;
}

// The scale applied to kept elements, 1/(1 − p); 0 for p = 1 (everything dropped).
template <class T>
AWS_HD T dropout_scale(float p) {
  return p < 1.0f ? T(1) / (T(1) - T(p)) : T(0);
}

}  // namespace aws
