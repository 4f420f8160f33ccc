// Pins the flat parameterization (SPEC §8a) to the numbers the controller produced before the
// factored one was added: a fixed, seeded sequence of updates must give the same θ, Adam state and
// baselines bit for bit (old run directories resume byte-identically only if it does), and a
// controller state written in format version 1 (before the parameterization was stored) still reads,
// as flat.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>
#include <xxhash.h>

#include "core/error.h"
#include "search/controller.h"

using namespace aws;

namespace {

uint64_t hash_doubles(const std::vector<double>& v, uint64_t seed) {
  return XXH3_64bits_withSeed(v.data(), v.size() * sizeof(double), seed);
}

// XXH3 over θ, Adam (t, m, v) and the baselines after `updates` seeded updates of K = 2 slots.
uint64_t flat_run_digest(int pairs, int updates, uint64_t seed, Controller* out = nullptr) {
  PpoConfig cfg;
  cfg.pairs = pairs;
  cfg.slots = 2;
  Controller c(cfg);
  std::mt19937_64 rng(seed);
  for (int u = 0; u < updates; ++u) {
    std::vector<Trajectory> trajs;
    for (int s = 0; s < 2; ++s) {
      Trajectory t;
      t.slot = s;
      t.reward = double(rng() % 10000) / 100.0;
      t.counts.resize(size_t(pairs));
      for (auto& v : t.counts) v = int64_t(rng() % 7);
      trajs.push_back(std::move(t));
    }
    c.update(trajs);
  }
  uint64_t h = hash_doubles(c.theta(), 1);
  h = hash_doubles(c.adam().m, h);
  h = hash_doubles(c.adam().v, h);
  h = hash_doubles(c.baselines(), h);
  h = XXH3_64bits_withSeed(&c.adam().t, sizeof(int64_t), h);
  if (out) *out = c;
  return h;
}

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> b;
  for (size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(uint8_t(std::stoul(s.substr(i, 2), nullptr, 16)));
  return b;
}

// serialize() of flat_run_digest(3, 4, 9) by the code before this change (format version 1).
const char* kV1Blob =
    "41575350504f43000100000003000000020000009a9999999999c93f05000000fca9f1d24d62603f000000000000e03f"
    "2b8716d9cef7ef3f3a8c30e28e79453e9a9999999999b93f0a000000cdccccccccccec3f000000000000e03f04000000"
    "000000001100000000000000b4a79b9ba0eeff3f22008661fdebdcbf5e0778d14d37f7bfd8e735794e1e933f82f66138"
    "6cea503fb99555dc1b5d833f01077c7e18214a514001f6afac342995494001713d0ad7a3d0554003000000000000004853"
    "ada8b8b4b5bfa2593fac4e07c33ff29923957f4bb13f201ae825aaecab3f48b248436f60963f189e586f2128b3bf2551b1"
    "a0605c3985";

}  // namespace

// The digests were printed by the controller before the factored parameterization existed.
TEST_CASE("ppo: the flat parameterization is bit-identical to the code before the factored one") {
  CHECK(flat_run_digest(1296, 40, 7) == 15574993155477018292ull);
  CHECK(flat_run_digest(16, 60, 8) == 4323671230598881649ull);
}

TEST_CASE("ppo: a controller state of format version 1 reads as flat and resumes identically") {
  const std::vector<uint8_t> v1 = unhex(kV1Blob);
  Controller old = Controller::deserialize(v1, "old/controller.bin");
  CHECK(old.config().parameterization == Parameterization::flat);
  CHECK(old.config().pairs == 3);
  CHECK(old.updates() == 4);
  Controller now;
  flat_run_digest(3, 4, 9, &now);
  CHECK(old.theta() == now.theta());
  CHECK(old.adam() == now.adam());
  CHECK(old.baselines() == now.baselines());
  CHECK(old.best_theta().size() == 3);
  // Rewritten, it is version 2 and reads back equal; it differs from version 1 only in the header.
  std::vector<uint8_t> v2 = old.serialize();
  CHECK(v2[8] == 2);
  CHECK(v2.size() == v1.size() + 2);  // + u8 parameterization + u8 baseline kind
  CHECK(Controller::deserialize(v2) == old);
  // A version this build does not know is refused by name.
  std::vector<uint8_t> v9 = v1;
  v9[8] = 9;
  const uint64_t sum = XXH3_64bits(v9.data(), v9.size() - 8);
  std::memcpy(v9.data() + v9.size() - 8, &sum, 8);
  try {
    Controller::deserialize(v9, "old/controller.bin");
    FAIL("accepted version 9");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("old/controller.bin: controller state version 9") == 0);
  }
}
