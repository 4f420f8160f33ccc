// Resizing decoded images the way torchvision's Resize(S) + CenterCrop(S) do on a PIL image:
// Pillow 9.4's BILINEAR resample (a triangle filter whose support widens with the reduction factor,
// so a downscale averages every source pixel it covers; 22-bit fixed-point coefficients, horizontal
// pass then vertical), the shorter side to S with torchvision's rounding of the longer one, then a
// centre crop with Python's round-half-even offsets. Bit-exact with both (tests/oracle).
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/io/image_io.h"

namespace aws {

// Pillow's Image.resize((out_w, out_h), BILINEAR) of a view (w × h pixels of c channels at `data`,
// rows `stride` bytes apart: a crop of a larger image needs no copy), restricted to the window
// [x0, x0 + win_w) × [y0, y0 + win_h) of the out_w × out_h result: nothing outside it is computed, so
// resize-then-crop costs memory bounded by the window. The whole result: x0 = y0 = 0, win = out.
Image resize_window(const uint8_t* data, size_t stride, int w, int h, int c, int out_w, int out_h, int x0, int y0,
                    int win_w, int win_h);

// torchvision's Resize(size) for an int size: the shorter side becomes `size`, the longer
// int(size · long / short); unchanged when already that size.
void resized_shorter_side(int w, int h, int size, int* out_w, int* out_h);

// Resize(resize) then CenterCrop(crop) (crop ≤ resize): every image becomes crop × crop. The folder's
// size=S is (S, S); ImageNet's evaluation crop is (256, 224).
Image resize_center_crop(const Image& in, int resize, int crop);

}  // namespace aws
