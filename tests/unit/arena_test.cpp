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
