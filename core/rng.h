// Counter-based random numbers (Philox4x32-10): a draw is a pure function of its key and counter,
// never of global state, so results do not depend on batch size, thread count or rank count.
// Key: the stream (seed, stage, loop, trajectory, epoch, copy) folded to 64 bits.
// Counter: (item index, slot, 0, 0), e.g. the image index and a fixed slot per kind of draw.
#pragma once
#include <cstdint>

#include "core/hd.h"

namespace aws {

struct RngKey {
  uint64_t seed = 0;
  uint32_t stage = 0, loop = 0, trajectory = 0, epoch = 0, copy = 0;
};

struct Rand4 {
  uint32_t v[4];
};

AWS_HD uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Folds the stream fields into one 64-bit Philox key; each field is mixed in turn.
AWS_HD uint64_t rng_stream(const RngKey& k) {
  uint64_t h = splitmix64(k.seed);
  h = splitmix64(h ^ k.stage);
  h = splitmix64(h ^ k.loop);
  h = splitmix64(h ^ k.trajectory);
  h = splitmix64(h ^ k.epoch);
  h = splitmix64(h ^ k.copy);
  return h;
}

AWS_HD void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t p = uint64_t(a) * uint64_t(b);
  hi = uint32_t(p >> 32);
  lo = uint32_t(p);
}

// Philox4x32 with 10 rounds (Salmon et al., SC'11).
AWS_HD Rand4 philox4x32(uint64_t key, uint32_t c0, uint32_t c1, uint32_t c2 = 0, uint32_t c3 = 0) {
  uint32_t k0 = uint32_t(key), k1 = uint32_t(key >> 32);
  uint32_t x0 = c0, x1 = c1, x2 = c2, x3 = c3;
  for (int r = 0; r < 10; ++r) {
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(0xD2511F53u, x0, hi0, lo0);
    philox_mulhilo(0xCD9E8D57u, x2, hi1, lo1);
    uint32_t y0 = hi1 ^ x1 ^ k0, y1 = lo1, y2 = hi0 ^ x3 ^ k1, y3 = lo0;
    x0 = y0; x1 = y1; x2 = y2; x3 = y3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Rand4{{x0, x1, x2, x3}};
}

// Uniform integer in [0, n) from a 32-bit draw (multiply-shift; bias < n / 2^32).
AWS_HD uint32_t rand_below(uint32_t r, uint32_t n) { return uint32_t((uint64_t(r) * n) >> 32); }

// Uniform float in [0, 1) with 24 random bits.
AWS_HD float rand_unit(uint32_t r) { return float(r >> 8) * (1.0f / 16777216.0f); }

// Uniform double in [0, 1) with 53 random bits from two draws.
AWS_HD double rand_unit_double(uint32_t a, uint32_t b) {
  uint64_t v = (uint64_t(a >> 5) << 26) | uint64_t(b >> 6);
  return double(v) * (1.0 / 9007199254740992.0);
}

}  // namespace aws
