// Per-output bodies of pooling (NHWC), shared by the cpu loops and the cuda kernels.
#pragma once
#include <cstdint>

#include "core/hd.h"

namespace aws {

// Max over one window of channel c for one image plane x (H·W·C, NHWC). Scans rows then columns and
// keeps the first maximum (as PyTorch's cpu kernel does); padding never wins. Writes the flat h·W + w
// of the winner to *arg (−1 when the window holds no input element, which valid shapes exclude).
template <class T>
AWS_HD T maxpool_window(const T* x, int64_t H, int64_t W, int64_t C, int64_t c, int64_t h0, int64_t w0,
                        int k, int32_t* arg) {
  bool found = false;
  T best = T(0);
  int32_t where = -1;
  for (int64_t h = h0; h < h0 + k; ++h) {
    if (h < 0 || h >= H) continue;
    for (int64_t w = w0; w < w0 + k; ++w) {
      if (w < 0 || w >= W) continue;
      T v = x[(h * W + w) * C + c];
      // A NaN wins and then stays the maximum (PyTorch propagates NaN the same way).
      if (!found || v > best || (v != v && best == best)) {
        best = v;
        where = int32_t(h * W + w);
        found = true;
      }
    }
  }
  *arg = where;
  return best;
}

}  // namespace aws
