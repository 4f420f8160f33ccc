// The search driver on a small synthetic dataset: reward rule, no allocation in stage-2 loops after
// the first (counted with mem_alloc_count around each loop), resume after an interruption gives the
// same policy files byte for byte, refusal of another config, and the proxies run.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/error.h"
#include "engine/runtime/memory.h"
#include "engine/io/checkpoint.h"
#include "search/run_dir.h"
#include "search/search_driver.h"
#include "tests/support/test_data.h"

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

// A run folder that does not exist yet, inside a fresh temporary folder removed with the object.
struct TempRun {
  explicit TempRun(const std::string& name) : tmp("aws_search_test"), path(tmp.path + "/" + name) {}
  const test::TempDir tmp;
  const std::string path;
};

// Stops the run (throws) when a stage with this label begins.
struct StopAt : SearchObserver {
  std::string label;
  std::vector<std::string> lines;
  void message(const std::string& l) override { lines.push_back(l); }
  void stage_begin(const std::string& l, int64_t) override {
    if (l == label) throw std::runtime_error("interrupted at " + l);
  }
};

std::string error_of(const SearchConfig& c, const Dataset& d, const std::string& dir) {
  SearchObserver o;
  try {
    run_search_on(c, d, dir, o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

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
  TempRun a("full"), b("resumed");

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
    TempRun dir(std::string("proxy-") + p);
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

TEST_CASE("search: nothing is written before everything is checked; a foreign folder is refused") {
  const Dataset d = synthetic(120, 3);
  TempRun dir("safety");
  SearchConfig big = tiny();
  big.batch = 1000;  // larger than D_tr
  CHECK(error_of(big, d, dir.path).find("--batch: 1000 is larger than D_tr") != std::string::npos);
  CHECK(!fs::exists(dir.path));
  SearchConfig typo = tiny();
  typo.model = "resnet2O";
  CHECK(error_of(typo, d, dir.path).find("resnet2O") != std::string::npos);
  CHECK(!fs::exists(dir.path));
  SearchConfig val = tiny();
  val.val = 3000;
  CHECK(error_of(val, d, dir.path).find("--val") != std::string::npos);
  CHECK(!fs::exists(dir.path));

  // A user's folder (no config.json) is never written into.
  fs::create_directories(dir.path);
  std::ofstream(dir.path + "/log.jsonl") << "mine\n";
  std::ofstream(dir.path + "/report.html") << "<p>mine</p>";
  CHECK(error_of(tiny(), d, dir.path).find("not empty and not a run directory") != std::string::npos);
  CHECK(slurp(dir.path + "/log.jsonl") == "mine\n");
  CHECK(slurp(dir.path + "/report.html") == "<p>mine</p>");
  CHECK(!fs::exists(dir.path + "/config.json"));
  CHECK(error_of(tiny(), d, "/").find("/: not empty and not a run directory") != std::string::npos);
}

TEST_CASE("search: a second process on a locked run directory is refused with the holder's PID") {
  const Dataset d = synthetic(120, 3);
  TempRun dir("lock");
  SearchConfig c = tiny();
  c.t_max = 1;
  {
    RunDirLock held(RunDir{dir.path});  // a separate open file description: conflicts like another process
    CHECK(slurp(dir.path + "/lock") == std::to_string(::getpid()) + "\n");
    CHECK(error_of(c, d, dir.path).find("in use by another aws search (PID " + std::to_string(::getpid())) !=
          std::string::npos);
    CHECK(!fs::exists(dir.path + "/config.json"));
  }
  CHECK(error_of(c, d, dir.path).empty());  // released: the run goes ahead
  CHECK(fs::exists(dir.path + "/policy.json"));
}

TEST_CASE("search: divergence stops the run naming the stage, and writes nothing from it") {
  const Dataset d = synthetic(120, 3);
  TempRun s1("diverge1"), s2("diverge2");
  SearchConfig a = tiny();
  a.lr = 1e6;  // stage 1 blows up (weight decay: w *= 1 - 100 per step, until the floats overflow)
  a.stage1_epochs = 8;
  const std::string e1 = error_of(a, d, s1.path);
  MESSAGE(e1);
  CHECK(e1.find("stage 1 epoch ") != std::string::npos);
  CHECK(e1.find(" step ") != std::string::npos);
  CHECK(e1.find("training diverged") != std::string::npos);
  CHECK(e1.find("learning rate") != std::string::npos);
  CHECK(!fs::exists(s1.path + "/omega_share.ckpt"));
  // stage1.ckpt, if any, is an earlier epoch's good state (a resume would diverge again, same keys).

  SearchConfig b = tiny();
  b.finetune_lr = 1e6;  // stage 2 blows up in the first trajectory
  b.finetune_epochs = 8;
  const std::string e2 = error_of(b, d, s2.path);
  MESSAGE(e2);
  CHECK(e2.find("stage 2 loop 0 trajectory 0 epoch ") != std::string::npos);
  CHECK(fs::exists(s2.path + "/omega_share.ckpt"));  // the last good state
  CHECK(!fs::exists(s2.path + "/controller.ckpt"));
  CHECK(read_log(s2.path + "/log.jsonl").empty());
  CHECK(!fs::exists(s2.path + "/policy.json"));
}

TEST_CASE("search: stage 1 resumes after its last finished epoch with the same omega_share") {
  const Dataset d = synthetic(160, 4);
  SearchConfig c = tiny();
  c.stage1_epochs = 3;
  c.t_max = 2;
  TempRun ref("s1ref"), res("s1res");
  SearchObserver o;
  run_search_on(c, d, ref.path, o);
  CHECK(!fs::exists(ref.path + "/stage1.ckpt"));  // ω_share replaced it

  StopAt stop;
  stop.label = "stage 1 epoch 3/3";
  CHECK_THROWS_WITH(run_search_on(c, d, res.path, stop), doctest::Contains("interrupted"));
  REQUIRE(fs::exists(res.path + "/stage1.ckpt"));
  CHECK(!fs::exists(res.path + "/omega_share.ckpt"));
  StopAt go;
  SearchResult r = run_search_on(c, d, res.path, go);
  CHECK(!r.stage1_loaded);
  bool resumed = false;
  for (const auto& l : go.lines) resumed |= l.find("stage 1: resuming after epoch 2") != std::string::npos;
  CHECK(resumed);
  // The state arena (weights, BN statistics, momentum) byte for byte; the meta differs only in seconds.
  const CheckpointData x = checkpoint_read(ref.path + "/omega_share.ckpt"), y = checkpoint_read(res.path + "/omega_share.ckpt");
  REQUIRE(x.blobs.size() == y.blobs.size());
  for (size_t i = 0; i < x.blobs.size(); ++i) CHECK(x.blobs[i].bytes == y.blobs[i].bytes);
  CHECK(slurp(ref.path + "/policy.json") == slurp(res.path + "/policy.json"));
  CHECK(slurp(ref.path + "/policy-last.json") == slurp(res.path + "/policy-last.json"));
}

TEST_CASE("search: a resume needs the same data and threads; an older run directory records them") {
  const Dataset d = synthetic(120, 3);
  TempRun dir("fingerprint");
  SearchConfig c = tiny();
  c.t_max = 1;
  SearchObserver o;
  run_search_on(c, d, dir.path, o);
  SearchConfig stored = read_search_config(dir.path + "/config.json");
  CHECK(stored.data_fingerprint == data_fingerprint(d));
  CHECK(stored.threads == 1);

  Dataset other = d;
  other.images[1234] ^= 1;  // one pixel
  CHECK(data_fingerprint(other) != data_fingerprint(d));
  CHECK(error_of(c, other, dir.path).find("training data differ") != std::string::npos);
  SearchConfig t2 = c;
  t2.threads = 2;
  CHECK(error_of(t2, d, dir.path).find("--threads: the run used 1 cpu threads, this one 2") != std::string::npos);
  CHECK(error_of(c, d, dir.path).empty());  // the same flags and data: done, nothing to run

  // An older run directory (no fingerprint, threads 0 = "all") is accepted and gets both recorded.
  auto j = nlohmann::json::parse(slurp(dir.path + "/config.json"));
  j["data_fingerprint"] = "";
  j["threads"] = 0;
  std::ofstream(dir.path + "/config.json") << j.dump(2);
  StopAt go;
  run_search_on(c, d, dir.path, go);
  bool noted = false;
  for (const auto& l : go.lines) noted |= l.find("recorded the training data's fingerprint and the thread count") != std::string::npos;
  CHECK(noted);
  stored = read_search_config(dir.path + "/config.json");
  CHECK(stored.data_fingerprint == data_fingerprint(d));
  CHECK(stored.threads == 1);
}

TEST_CASE("search: a log behind the controller state is refused, saying what was lost") {
  const Dataset d = synthetic(120, 3);
  TempRun dir("logbehind");
  SearchConfig c = tiny();
  c.t_max = 3;
  SearchObserver o;
  run_search_on(c, d, dir.path, o);
  std::string log = slurp(dir.path + "/log.jsonl");
  const size_t second = log.find('\n') + 1;
  std::ofstream(dir.path + "/log.jsonl", std::ios::trunc) << log.substr(0, second);  // loop 0 only
  const std::string e = error_of(c, d, dir.path);
  CHECK(e.find("log is behind the controller state (3 loops done, records only up to loop 0)") != std::string::npos);
  CHECK(e.find("move controller.ckpt and log.jsonl away") != std::string::npos);
  // The advice works: stage 2 is recomputed from ω_share and ends with the same policy.
  const std::string policy = slurp(dir.path + "/policy.json");
  fs::remove(dir.path + "/controller.ckpt");
  fs::remove(dir.path + "/log.jsonl");
  CHECK(error_of(c, d, dir.path).empty());
  CHECK(slurp(dir.path + "/policy.json") == policy);
}
