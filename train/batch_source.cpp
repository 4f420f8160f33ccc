// The resident batch source: the dataset copied once to the model's device (cuda) or viewed in place.
#include "train/batch_source.h"

#include "engine/runtime/memory.h"

namespace aws {

ResidentImages::ResidentImages(Ctx& ctx, const Dataset& d) : d_(d), dev_(ctx.device) {
  Shape s{d.n, d.h, d.w, d.c};
  if (ctx.is_cuda()) {
    owned_ = mem_alloc(Device::cuda, d.images.size());
    mem_copy(ctx, owned_, d.images.data(), d.images.size(), CopyKind::host_to_dev);
    ctx.sync();
    images_ = Tensor(owned_, s, DType::u8, Device::cuda);
  } else {
    images_ = Tensor(const_cast<uint8_t*>(d.images.data()), s, DType::u8, Device::cpu);
  }
}

ResidentImages::~ResidentImages() { mem_free(dev_, owned_); }

}  // namespace aws
