// The search driver on a small synthetic dataset: reward rule, no allocation in stage-2 loops after
// the first (counted with mem_alloc_count around each loop), resume after an interruption gives the
// same policy files byte for byte, refusal of another config, and the proxies run.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/core/error.h"
#include "engine/core/memory.h"
#include "search/run_dir.h"
#include "search/search_driver.h"

using namespace aws;
namespace fs = std::filesystem;

namespace {

// 10 classes of 28×28 images: a bright bar whose row depends on the class, plus seeded noise.
Dataset synthetic(int n, uint32_t seed) {
  Dataset d;
  d.name = "synthetic/train";
  d.n = n, d.h = 28, d.w = 28, d.c = 1, d.num_classes = 10;
  d.images.resize(size_t(n) * 28 * 28);
  d.labels.resize(size_t(n));
  uint32_t s = seed;
  for (int i = 0; i < n; ++i) {
    int y = i % 10;
    d.labels[size_t(i)] = y;
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        s = s * 1664525u + 1013904223u;
        int v = int(s >> 27);
        if (r >= 2 + 2 * y && r < 4 + 2 * y && c >= 4 && c < 24) v += 200;
        d.images[size_t(i) * 784 + size_t(r) * 28 + size_t(c)] = uint8_t(std::min(v, 255));
      }
  }
  return d;
}

SearchConfig tiny(const std::string& proxy = "af") {
  SearchConfig c = search_preset("demo");
  c.data = "synthetic";
  c.val = 40;
  c.subset = 0;
  c.batch = 16;
  c.stage1_epochs = 1;
  c.finetune_epochs = 2;
  c.finetune_lr = 0.05;
  c.lr = 0.05;
  c.t_max = 4;
  c.threads = 1;
  c.seed = 11;
  c.proxy = proxy;
  return c;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TmpDir {
  std::string path;
  // The process id keeps concurrent runs of the suite (several build folders) out of each other's way.
  explicit TmpDir(const std::string& name)
      : path((fs::temp_directory_path() / ("aws-search-test-" + name + "-" + std::to_string(::getpid()))).string()) {
    fs::remove_all(path);
  }
  ~TmpDir() { fs::remove_all(path); }
};

// Counts device allocations between consecutive loops; can stop the run after `stop_after` loops.
struct CountingObserver : SearchObserver {
  std::vector<uint64_t> at_loop_end;
  int stop_after = -1;
  void loop_done(const nlohmann::json&) override {
    at_loop_end.push_back(mem_alloc_count(Device::cpu));
    if (stop_after >= 0 && int(at_loop_end.size()) == stop_after) throw std::runtime_error("interrupted");
  }
};

}  // namespace

TEST_CASE("search: reward is the mean of the best two epoch accuracies") {
  CHECK(reward_of({1.0, 5.0, 3.0}) == 4.0);
  CHECK(reward_of({7.5}) == 7.5);
  CHECK(reward_of({2.0, 2.0, 9.0, 1.0}) == 5.5);
  CHECK(reward_of({}) == 0.0);
}

TEST_CASE("search: stage-2 loops allocate nothing after the first; resume is byte-identical") {
  const Dataset d = synthetic(200, 5);
  const SearchConfig cfg = tiny();
  TmpDir a("full"), b("resumed");

  CountingObserver full;
  SearchResult r = run_search_on(cfg, d, a.path, full);
  CHECK(r.loops_run == cfg.t_max);
  REQUIRE(full.at_loop_end.size() == size_t(cfg.t_max));
  for (size_t i = 1; i < full.at_loop_end.size(); ++i) {
    INFO("loop " << i);
    CHECK(full.at_loop_end[i] == full.at_loop_end[i - 1]);
  }
  auto log = read_log(a.path + "/log.jsonl");
  REQUIRE(log.size() == size_t(cfg.t_max));
  for (size_t i = 1; i < log.size(); ++i) CHECK(log[i]["mem_allocs"].get<uint64_t>() == 0);
  // The rewards are not all equal (otherwise PPO never moves and the resume check proves little).
  bool varied = false;
  for (const auto& rec : log) varied |= rec["reward"] != log[0]["reward"];
  CHECK(varied);

  CountingObserver first;
  first.stop_after = 2;
  CHECK_THROWS(run_search_on(cfg, d, b.path, first));
  CHECK(!fs::exists(b.path + "/policy.json"));
  CountingObserver second;
  SearchResult r2 = run_search_on(cfg, d, b.path, second);
  CHECK(r2.stage1_loaded);
  CHECK(r2.loops_resumed == 2);
  CHECK(r2.loops_run == cfg.t_max - 2);
  CHECK(slurp(a.path + "/policy.json") == slurp(b.path + "/policy.json"));
  CHECK(slurp(a.path + "/policy-last.json") == slurp(b.path + "/policy-last.json"));
  CHECK(read_log(b.path + "/log.jsonl").size() == size_t(cfg.t_max));

  // Another configuration on the same directory is refused, naming the field.
  SearchConfig other = cfg;
  other.seed = 12;
  CountingObserver o;
  CHECK_THROWS_WITH_AS(run_search_on(other, d, a.path, o), doctest::Contains("seed: 11 -> 12"), UserError);

  // A corrupt controller state is refused, naming the file.
  {
    std::fstream f(b.path + "/controller.ckpt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.write("xxxx", 4);
  }
  CHECK_THROWS_WITH_AS(run_search_on(cfg, d, b.path, o), doctest::Contains("controller.ckpt"), UserError);
}

TEST_CASE("search: the proxies are configurations of the same driver") {
  const Dataset d = synthetic(120, 9);
  for (const char* p : {"nf", "it", "av"}) {
    INFO("proxy " << p);
    SearchConfig cfg = tiny(p);
    cfg.t_max = 2;
    TmpDir dir(std::string("proxy-") + p);
    CountingObserver obs;
    SearchResult r = run_search_on(cfg, d, dir.path, obs);
    CHECK(r.loops_run == 2);
    CHECK(fs::exists(dir.path + "/policy.json"));
    CHECK(fs::exists(dir.path + "/omega_share.ckpt") == (std::string(p) != "it"));
    auto log = read_log(dir.path + "/log.jsonl");
    REQUIRE(log.size() == 2);
    CHECK(log[0]["val_accs"][0].size() == (std::string(p) == "av" ? 1u : 2u));
  }
}
