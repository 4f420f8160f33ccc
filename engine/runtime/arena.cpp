#include "engine/runtime/arena.h"

#include "core/context.h"
#include "engine/runtime/memory.h"

namespace aws {

static constexpr size_t kAlign = 256;  // cuDNN/cuBLASLt want >= 16 bytes; 256 keeps cache lines apart

Arena::Arena(Device dev, std::string name) : dev_(dev), name_(std::move(name)) {}

Arena::~Arena() { mem_free(dev_, base_); }

size_t Arena::add(Tensor* t, Shape shape, DType dtype) {
  AWS_ASSERT(!committed(), "arena '" + name_ + "': add() after commit()");
  size_t off = (size_ + kAlign - 1) / kAlign * kAlign;
  t->shape = shape;
  t->dtype = dtype;
  t->device = dev_;
  t->data = nullptr;
  size_ = off + size_t(shape.numel()) * dtype_size(dtype);
  pending_.push_back({t, off});
  return off;
}

void Arena::commit(Ctx& ctx) {
  AWS_ASSERT(!committed(), "arena '" + name_ + "' committed twice");
  AWS_ASSERT(ctx.device == dev_, "arena '" + name_ + "' committed with a context of another device");
  size_ = (size_ + kAlign - 1) / kAlign * kAlign;
  base_ = mem_alloc(dev_, size_ ? size_ : kAlign);
  mem_zero(ctx, base_, size_);
  for (auto& [t, off] : pending_) t->data = static_cast<char*>(base_) + off;
  pending_.clear();
  pending_.shrink_to_fit();
}

Snapshot::~Snapshot() { mem_free(dev_, data_); }

void Snapshot::allocate(Device dev, size_t bytes) {
  mem_free(dev_, data_);
  dev_ = dev;
  size_ = bytes;
  data_ = mem_alloc(dev, bytes ? bytes : kAlign);
}

void Snapshot::take(Ctx& ctx, const Arena& a) {
  AWS_ASSERT(a.committed(), "snapshot of an arena that is not committed");
  if (!data_ || size_ != a.bytes() || dev_ != a.device()) allocate(a.device(), a.bytes());
  mem_copy(ctx, data_, a.base(), size_, CopyKind::dev_to_dev);
}

void Snapshot::restore(Ctx& ctx, Arena& a) const {
  AWS_ASSERT(data_ && size_ == a.bytes() && dev_ == a.device(),
             "restore: snapshot does not match arena '" + a.name() + "'");
  mem_copy(ctx, a.base(), data_, size_, CopyKind::dev_to_dev);
}

}  // namespace aws
