#include "tests/support/test_data.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>

namespace aws::test {

Dataset synthetic_dataset(int64_t n, uint64_t seed) {
  Dataset d;
  d.name = "synthetic";
  d.n = n;
  d.h = d.w = 28;
  d.c = 1;
  d.num_classes = 10;
  std::mt19937_64 rng(seed);
  d.images.resize(size_t(n) * 28 * 28);
  for (auto& b : d.images) b = uint8_t(rng());
  d.labels.resize(size_t(n));
  for (auto& l : d.labels) l = int32_t(rng() % 10);
  return d;
}

std::vector<uint8_t> arena_bytes(const Arena& a) {
  const auto* p = static_cast<const uint8_t*>(a.base());
  return {p, p + a.bytes()};
}

namespace {
std::string new_temp_dir(const std::string& prefix) {
  std::string t = "/tmp/" + prefix + ".XXXXXX";
  REQUIRE(::mkdtemp(t.data()) != nullptr);
  return t;
}
}  // namespace

TempDir::TempDir(const std::string& prefix) : path(new_temp_dir(prefix)) {}

TempDir::~TempDir() {
  std::error_code ec;  // best effort: a destructor does not throw
  std::filesystem::remove_all(path, ec);
}

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) out.push_back(e->d_name);
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace aws::test
