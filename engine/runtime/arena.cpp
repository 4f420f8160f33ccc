#include "engine/runtime/arena.h"

#include <algorithm>

#include "core/context.h"
#include "engine/runtime/memory.h"

namespace aws {

static constexpr size_t kAlign = 256;  // cuDNN/cuBLASLt want >= 16 bytes; 256 keeps cache lines apart

static size_t align(size_t b) { return (b + kAlign - 1) / kAlign * kAlign; }

Arena::Arena(Device dev, std::string name) : dev_(dev), name_(std::move(name)) {}

Arena::~Arena() { mem_free(dev_, base_); }

size_t Arena::add(Tensor* t, Shape shape, DType dtype) {
  AWS_ASSERT(!committed(), "arena '" + name_ + "': add() after commit()");
  size_t off = align(size_);
  t->shape = shape;
  t->dtype = dtype;
  t->device = dev_;
  t->data = nullptr;
  size_ = off + size_t(shape.numel()) * dtype_size(dtype);
  pending_.push_back({t, off});
  return off;
}

void Arena::add_shared(Tensor* t, const std::string& slot, Shape shape, DType dtype) {
  AWS_ASSERT(!committed(), "arena '" + name_ + "': add_shared() after commit()");
  t->shape = shape;
  t->dtype = dtype;
  t->device = dev_;
  t->data = nullptr;
  auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.name == slot; });
  if (it == slots_.end()) it = slots_.insert(slots_.end(), Slot{slot, 0, {}});
  it->bytes = std::max(it->bytes, size_t(shape.numel()) * dtype_size(dtype));
  it->users.push_back(t);
}

size_t Arena::bytes() const {
  if (committed()) return size_;
  size_t end = size_;
  for (const Slot& s : slots_) end = align(end) + s.bytes;
  return end;
}

void Arena::commit(Ctx& ctx) {
  AWS_ASSERT(!committed(), "arena '" + name_ + "' committed twice");
  AWS_ASSERT(ctx.device == dev_, "arena '" + name_ + "' committed with a context of another device");
  for (Slot& s : slots_) {
    const size_t off = align(size_);
    for (Tensor* t : s.users) pending_.push_back({t, off});
    size_ = off + s.bytes;
  }
  slots_.clear();
  size_ = align(size_);
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
