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

// A new, empty folder /tmp/<prefix>.XXXXXX (mkdtemp: suites running at once never share one), removed
// with everything in it when the object goes, so a test run leaves nothing behind; a failure to create
// it fails the calling test. A forked child leaves with _exit and so never removes its parent's folder.
struct TempDir {
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string path;
};

// The names in `dir`, without "." and "..", sorted.
std::vector<std::string> dir_entries(const std::string& dir);

}  // namespace aws::test
