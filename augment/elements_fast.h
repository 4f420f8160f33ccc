// Two host routes for one augmentation element on one uint8 HWC image, both bit-exact with Pillow
// 9.4: the reference route (exact histograms → ElementParams → the per-pixel AWS_HD body of
// kernels/augment_ops.h for every sample, the same code the CUDA kernel runs) and the fast route
// (per-op host loops: per-row/per-column coordinates computed once, lookup tables, row copies).
// apply_element (augment/elements.h) validates its arguments and runs the fast route; the unit test
// tests/unit/augment_fast_test.cpp compares the two routes sample by sample.
#pragma once
#include <cstdint>

namespace aws {

// Preconditions as apply_element (already checked by the caller): 0 <= elem < 36, c ∈ {1, 3},
// h, w in [1, 16384], src != dst, sign ∈ {−1, +1} for signed elements.
void apply_element_reference(int elem, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c);
void apply_element_fast(int elem, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c);

}  // namespace aws
