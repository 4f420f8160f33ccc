// An arena is one allocation that many tensors are carved from, laid out once (llm.c style).
// Layout phase: add() declares tensors (their addresses must stay stable); commit() allocates once and
// points every declared tensor into the block. A model's state arena holds parameters, BN running
// statistics and optimizer state, so snapshot/restore of all of it is one copy.
// Buffers whose lives never overlap can share bytes: add_shared() puts a tensor in a named slot, and
// every tensor of one slot points at the same bytes (the slot is as large as its largest tensor).
// The model that declares them is what knows the lives (e.g. backward gradients, models/layers.h).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace aws {

struct Ctx;

class Arena {
 public:
  Arena(Device dev, std::string name);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Declares a tensor of `shape`/`dtype`; t->data is set by commit(). Returns its byte offset.
  size_t add(Tensor* t, Shape shape, DType dtype);
  // Declares a tensor in slot `slot`, sharing its bytes with the slot's other tensors. Slots are laid
  // out after the add() tensors, in the order they first appear.
  void add_shared(Tensor* t, const std::string& slot, Shape shape, DType dtype);
  // Allocates the block (one mem_alloc) and resolves every declared tensor; zero-fills it.
  void commit(Ctx& ctx);

  bool committed() const { return base_ != nullptr; }
  size_t bytes() const;  // laid out so far (before commit) or allocated
  void* base() const { return base_; }
  Device device() const { return dev_; }
  const std::string& name() const { return name_; }

 private:
  Device dev_;
  std::string name_;
  size_t size_ = 0;
  void* base_ = nullptr;
  std::vector<std::pair<Tensor*, size_t>> pending_;
  struct Slot {
    std::string name;
    size_t bytes = 0;
    std::vector<Tensor*> users;
  };
  std::vector<Slot> slots_;
};

// A copy of an arena's bytes, allocated once; snapshot() and restore() are then one copy each.
class Snapshot {
 public:
  Snapshot() = default;
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  void take(Ctx& ctx, const Arena& a);           // allocates on first use, then copies
  void restore(Ctx& ctx, Arena& a) const;        // one device-to-device (or host) copy
  bool empty() const { return data_ == nullptr; }
  size_t bytes() const { return size_; }
  const void* data() const { return data_; }
  void* data() { return data_; }
  // Allocates an empty snapshot of `bytes` on `dev` (used when loading one from a checkpoint).
  void allocate(Device dev, size_t bytes);

 private:
  Device dev_ = Device::cpu;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace aws
