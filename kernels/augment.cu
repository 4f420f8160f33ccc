// The augmentation entry points of the cuda backend. The fused per-image kernel (crop/flip → pair-op
// → cutout → normalize, bit-exact with the cpu pass) is NOT written yet (docs/CUDA.md "Not done yet"):
// until it is, --device cuda fails here with a clear error instead of silently running the cpu pass.
#include "augment/pipeline.h"

namespace aws {

void augment_batch_cuda(Ctx&, const AugmentPlan&, const Tensor&, const int32_t*, int, const RngKey&, Tensor&,
                        ImageDraws*) {
  throw Error("augment_batch: the cuda augmentation kernel is not implemented yet (see docs/CUDA.md)");
}

void normalize_batch_cuda(Ctx&, const Tensor&, const int32_t*, int, const Normalization&, Tensor&) {
  throw Error("normalize_batch: the cuda kernel is not implemented yet (see docs/CUDA.md)");
}

}  // namespace aws
