// A policy: the base augmentation around the pair-op (crop pad, flip, cutout side) and a
// distribution over pair-ops, sampled with one 32-bit uniform draw per image.
// Searched policies live on the 36-element alphabet: 1296 pairs k = 36·i + j (i applied first).
// Built-in rules that need an "apply nothing" choice (AutoAugment's application probabilities,
// RandAugment and TrivialAugment's Identity) use an extended alphabet of 37 letters whose last one,
// kIdentity = 36, is the identity; such policies are built-in only and have no policy file.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/augment_image_ops.h"  // sample_cdf

namespace aws {

constexpr int kElements = kNumElements;     // SPEC.md §2 (kernels/augment_ops.h)
constexpr int kPairs = kElements * kElements;  // 1296
constexpr int kIdentity = 36;               // the extra letter of built-in rules

// The augmentation around the pair-op (SPEC.md §3). cutout is the side at 32×32 (0 = off); other
// sizes keep the same area share (side 14 at 28×28).
struct BaseAug {
  int crop_pad = 4;   // zero padding before the random crop; 0 = no crop
  bool flip = true;   // horizontal flip with p = 0.5
  int cutout = 16;    // side at 32×32; 0 = no cutout
  bool operator==(const BaseAug&) const = default;
};

// The cutout side for an h×w image: round(cutout · sqrt(h·w) / 32), the same area share as at 32×32.
int cutout_side(int cutout32, int h, int w);

struct Policy {
  std::string name;            // built-in name or the file it came from
  BaseAug base;
  int alphabet = 0;            // 0: no pair-op; 36: pair-ops; 37: pair-ops with the identity letter
  std::vector<double> probs;   // alphabet² entries, k = alphabet·i + j; sums to 1
  std::string source_json;     // "source" object as compact JSON ("{}" when none)

  bool has_pair_op() const { return alphabet > 0; }
};

// Cumulative table in units of 2^-32: cdf[k] = round(2^32 · Σ_{u≤k} p_u), cdf.back() = 2^32.
// A zero-probability pair has cdf[k] == cdf[k-1] and is never drawn. Deterministic on every backend.
std::vector<uint64_t> make_cdf(const std::vector<double>& probs);


// Shannon entropy in nats (0·log 0 = 0); log(1296) for the uniform policy.
double policy_entropy(const std::vector<double>& probs);

// The k most probable entries, probability descending, ties by index ascending.
std::vector<std::pair<int, double>> policy_top(const std::vector<double>& probs, int k);

// Checks a distribution: size, finite, non-negative, sum within kProbSumTolerance of 1.
constexpr double kProbSumTolerance = 1e-6;

}  // namespace aws
