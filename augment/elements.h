// The 36 augmentation elements of SPEC.md §2 (official names, sorted order = index order) and the
// host convenience that applies one element to one uint8 HWC image, bit-exact with Pillow 9.4.
// The arithmetic itself lives in kernels/augment_ops.h so the CUDA kernel runs the same bodies.
#pragma once
#include <cstdint>
#include <string>

#include "kernels/augment_ops.h"  // ElementOp, kNumElements, element_op/magnitude/signed

namespace aws {

struct ElementInfo {
  const char* name;   // official name, e.g. "Rotate_mag10", "Solarize_mag85.3"
  ElementOp op;
  double magnitude;   // exact double of the linspace construction; 0 for AutoContrast/Equalize/Invert
  bool is_signed;     // signed elements draw a sign ±1 each time they are applied
};

// The table entry of element `elem` (0 <= elem < kNumElements; anything else is an internal error).
const ElementInfo& element_info(int elem);

// Index of an official element name; throws UserError naming the bad name and a few valid ones.
int element_index(const std::string& name);

// dst = element `elem` applied to src (uint8 HWC, c ∈ {1,3}, any h,w ≥ 1; src != dst, same shape).
// sign ∈ {−1,+1} for signed elements, ignored for unsigned ones. Same result as Pillow 9.4 on an
// "RGB" (c = 3) or "L" (c = 1) image; see SPEC.md §4 for the grayscale variant (scalar fill 128).
void apply_element(int elem, int sign, const uint8_t* src, uint8_t* dst, int h, int w, int c);

}  // namespace aws
