// Residual add on the cpu (f32 or f64); y may alias a or b.
#include "engine/ops/add.h"
#include "kernels/add_ops.h"

namespace aws {

template <class T>
static void add_cpu(const Tensor& a, const Tensor& b, Tensor& y) {
  const T* pa = a.as<T>();
  const T* pb = b.as<T>();
  T* py = y.as<T>();
  const int64_t n = a.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) py[i] = add_fwd(pa[i], pb[i]);
}

void add_forward_cpu(Ctx&, const AddArgs& args) {
  if (args.a.dtype == DType::f64) return add_cpu<double>(args.a, args.b, args.y);
  add_cpu<float>(args.a, args.b, args.y);
}

}  // namespace aws
