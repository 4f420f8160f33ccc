// Arena layout, snapshot and restore on the cpu backend.
#include <doctest/doctest.h>

#include <cstring>

#include "engine/runtime/arena.h"
#include "core/context.h"

using namespace aws;

TEST_CASE("arena: tensors are carved from one aligned block and restore is bit exact") {
  Ctx ctx(Device::cpu, 1);
  Arena a(Device::cpu, "state");
  Tensor w, b;
  a.add(&w, Shape{3, 5}, DType::f32);
  a.add(&b, Shape{7}, DType::f32);
  a.commit(ctx);
  REQUIRE(w.data != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(w.data) % 256 == 0);
  CHECK(reinterpret_cast<uintptr_t>(b.data) % 256 == 0);
  CHECK(static_cast<char*>(b.data) >= static_cast<char*>(w.data) + w.bytes());
  for (int i = 0; i < 15; ++i) w.f32()[i] = float(i) * 0.5f;
  for (int i = 0; i < 7; ++i) b.f32()[i] = -float(i);
  Snapshot s;
  s.take(ctx, a);
  for (int i = 0; i < 15; ++i) w.f32()[i] += 1.f;
  b.f32()[3] = 42.f;
  s.restore(ctx, a);
  for (int i = 0; i < 15; ++i) CHECK(w.f32()[i] == float(i) * 0.5f);
  CHECK(b.f32()[3] == -3.f);
  CHECK(std::memcmp(s.data(), a.base(), a.bytes()) == 0);
}

TEST_CASE("arena: tensors of one slot share their bytes; the slot is as large as its largest tensor") {
  Ctx ctx(Device::cpu, 1);
  Arena a(Device::cpu, "workspace");
  Tensor own, g1, g2, h1, h2;
  a.add(&own, Shape{10}, DType::f32);                    // 40 bytes at 0
  a.add_shared(&g1, "grad.a", Shape{100}, DType::f32);  // slot a: 400 bytes
  a.add_shared(&h1, "grad.b", Shape{3}, DType::f32);    // slot b: 12 bytes
  a.add_shared(&g2, "grad.a", Shape{2, 30}, DType::f32);
  a.add_shared(&h2, "grad.b", Shape{50}, DType::u8);
  CHECK(a.bytes() == 256 + 400 + 112 + 50);  // slot a at 256, slot b at 768 (before commit: unpadded end)
  a.commit(ctx);
  CHECK(a.bytes() == 1024);
  const char* base = static_cast<const char*>(a.base());
  CHECK(static_cast<char*>(own.data) == base);
  CHECK(g1.data == g2.data);
  CHECK(h1.data == h2.data);
  CHECK(static_cast<char*>(g1.data) == base + 256);
  CHECK(static_cast<char*>(h1.data) == base + 768);
  CHECK(g2.shape == Shape{2, 30});  // each user keeps its own shape and dtype
  CHECK(h2.dtype == DType::u8);
}
