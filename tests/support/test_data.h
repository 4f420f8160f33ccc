// Small seeded inputs shared by the training tests (cpu and gpu suites).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/runtime/arena.h"
#include "engine/data/dataset.h"

namespace aws::test {

// n random 1×28×28 images with labels in [0, 10), from std::mt19937_64(seed): enough for a few batches.
Dataset synthetic_dataset(int64_t n, uint64_t seed);

// The bytes of a committed cpu arena (for bit-exact comparisons of model states).
std::vector<uint8_t> arena_bytes(const Arena& a);

// A new folder /tmp/<prefix>.XXXXXX (mkdtemp); a failure fails the calling test.
std::string make_temp_dir(const std::string& prefix);

// The names in `dir`, without "." and "..", sorted.
std::vector<std::string> dir_entries(const std::string& dir);

}  // namespace aws::test
