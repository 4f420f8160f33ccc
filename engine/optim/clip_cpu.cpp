// Gradient norm on the cpu: sums of squares in double over fixed chunks (their size depends on the
// tensor size only), combined in chunk order, so the norm does not depend on the thread count.
#include <algorithm>
#include <cmath>

#include "engine/optim/clip.h"
#include "kernels/clip_ops.h"

namespace aws {

static double sum_squares(const float* g, int64_t n) {
  constexpr int64_t kMaxChunks = 256;
  const int64_t chunk = std::max<int64_t>(16384, (n + kMaxChunks - 1) / kMaxChunks);
  const int64_t chunks = (n + chunk - 1) / chunk;
  double part[kMaxChunks];
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    double s = 0.0;
    const int64_t end = std::min(n, (c + 1) * chunk);
    for (int64_t i = c * chunk; i < end; ++i) s += double(g[i]) * double(g[i]);
    part[c] = s;
  }
  double total = 0.0;
  for (int64_t c = 0; c < chunks; ++c) total += part[c];
  return total;
}

void grad_clip_cpu(Ctx&, const ParamList& params, float max_norm, Tensor& norm, Tensor& scale) {
  double total = 0.0;
  for (const ParamRef& r : params) total += sum_squares(r.grad->f32(), r.grad->numel());
  const double nrm = std::sqrt(total);
  norm.f32()[0] = float(nrm);
  scale.f32()[0] = clip_scale(nrm, max_norm);
}

}  // namespace aws
