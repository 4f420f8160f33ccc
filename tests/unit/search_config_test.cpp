// Search configuration: validation messages name the flag, presets, strict JSON round trip, the
// semantic digest and the diff that refuses a run directory made by another configuration.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <unistd.h>

#include "core/error.h"
#include "search/run_dir.h"
#include "search/search_config.h"

using namespace aws;

static std::string error_of(const SearchConfig& c) {
  try {
    c.validate();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("search config: invalid values name their flag") {
  SearchConfig c = search_preset("demo");
  CHECK(error_of(c).empty());
  SearchConfig t = c;
  t.t_max = 0;
  CHECK(error_of(t).find("--t-max") != std::string::npos);
  t.t_max = -3;
  CHECK(error_of(t).find("--t-max") != std::string::npos);
  SearchConfig k = c;
  k.k = 0;
  CHECK(error_of(k).find("--k") != std::string::npos);
  SearchConfig p = c;
  p.proxy = "xx";
  CHECK(error_of(p).find("--proxy xx") != std::string::npos);
  SearchConfig f = c;
  f.finetune_epochs = 0;
  CHECK(error_of(f).find("--finetune-epochs") != std::string::npos);
  f.proxy = "av";  // P_AV does not fine-tune
  CHECK(error_of(f).empty());
  SearchConfig s = c;
  s.stage1_epochs = 0;
  CHECK(error_of(s).find("--stage1-epochs") != std::string::npos);
  s.proxy = "it";  // P_IT has no stage 1
  CHECK(error_of(s).empty());
  SearchConfig d = c;
  d.device = "tpu";
  CHECK(error_of(d).find("--device") != std::string::npos);
  CHECK_THROWS_WITH_AS(search_preset("huge"), doctest::Contains("--preset huge"), UserError);
}

TEST_CASE("search config: presets hold the SPEC numbers") {
  SearchConfig p = search_preset("paper");
  CHECK(p.stage1_epochs == 200);
  CHECK(p.finetune_epochs == 10);
  CHECK(p.t_max == 500);
  CHECK(p.batch == 256);
  CHECK(p.val == 10000);
  CHECK(p.subset == 0);
  CHECK(p.finetune_lr == 0.001);
  CHECK(p.bn_momentum == 0.5);
  CHECK(p.label_smoothing == 0.05);
  CHECK(p.clip == 3.0);
  CHECK(p.weight_decay == 1e-4);
  CHECK(p.policy_lr == 0.1);
  SearchConfig d = search_preset("demo");
  CHECK(d.t_max < p.t_max);
  CHECK(d.subset > 0);
  // The paper's ImageNet search (its §5): ResNet-50, 150 + 5 epochs, policy LR 0.2, CIFAR's others; no
  // dataset of its own (validate asks for --data).
  SearchConfig i = search_preset("paper-imagenet-resnet50");
  CHECK(i.model == "resnet50");
  CHECK(i.stage1_epochs == 150);
  CHECK(i.finetune_epochs == 5);
  CHECK(i.policy_lr == 0.2);
  CHECK(i.t_max == p.t_max);
  CHECK(i.batch == p.batch);
  CHECK(error_of(i).find("--data: --preset paper-imagenet-resnet50 names no dataset") == 0);
  i.data = "folder,stream:/data/imagenet";
  CHECK(error_of(i).empty());
}

TEST_CASE("search config version 4: policy_lr and stage1_ranks are semantic only off their defaults; older files read those") {
  SearchConfig a = search_preset("paper"), b = a;
  b.policy_lr = 0.2;
  CHECK(a.semantic_json().count("policy_lr") == 0);  // version-3 digests stay what they were
  CHECK(a.digest() != b.digest());
  const auto d = config_diff(a, b);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == "policy_lr: 0.1 -> 0.2");
  CHECK(SearchConfig::from_json(b.to_json(), "c.json").policy_lr == 0.2);
  auto v3 = b.to_json();
  v3["version"] = 3;
  v3.erase("policy_lr");
  CHECK(SearchConfig::from_json(v3, "c.json").policy_lr == 0.1);
  auto v4 = b.to_json();
  v4.erase("policy_lr");
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(v4, "c.json"), doctest::Contains("\"policy_lr\""), UserError);
  b.policy_lr = 0;
  CHECK(error_of(b).find("--policy-lr") == 0);
  // stage1_ranks likewise: semantic only when stage 1 ran on more than one rank.
  SearchConfig w = a;
  w.stage1_ranks = 2;
  CHECK(a.semantic_json().count("stage1_ranks") == 0);
  CHECK(w.digest() != a.digest());
  REQUIRE(config_diff(a, w).size() == 1);
  CHECK(config_diff(a, w)[0] == "stage1_ranks: 1 -> 2");
  CHECK(SearchConfig::from_json(w.to_json(), "c.json").stage1_ranks == 2);
  CHECK(SearchConfig::from_json(v3, "c.json").stage1_ranks == 1);
}

TEST_CASE("search config: JSON round trip, digest and diff") {
  SearchConfig a = search_preset("demo");
  a.seed = 42;
  a.threads = 3;
  a.data_dir = "/somewhere";
  SearchConfig b = SearchConfig::from_json(a.to_json(), "config.json");
  CHECK(b.to_json() == a.to_json());
  CHECK(config_diff(a, b).empty());
  CHECK(a.digest().size() == 16);

  // Threads and the data folder do not change what is computed.
  SearchConfig c = a;
  c.threads = 1;
  c.data_dir = "";
  CHECK(c.digest() == a.digest());
  CHECK(config_diff(a, c).empty());

  c.seed = 43;
  c.t_max = 99;
  CHECK(c.digest() != a.digest());
  auto d = config_diff(a, c);
  REQUIRE(d.size() == 2);
  CHECK(d[0] == "seed: 42 -> 43");
  CHECK(d[1] == "t_max: 24 -> 99");
}

TEST_CASE("search config: strict reader names the file and field") {
  SearchConfig a = search_preset("demo");
  auto j = a.to_json();
  j["version"] = 99;
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"), doctest::Contains("run/config.json: version 99"),
                       UserError);
  j = a.to_json();
  j.erase("k");
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"), doctest::Contains("\"k\""), UserError);
  j = a.to_json();
  j["t_max"] = "many";
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"), doctest::Contains("\"t_max\""), UserError);
  j = a.to_json();
  j["device"] = "tpu";
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"),
                       doctest::Contains("run/config.json: field \"device\""), UserError);
  CHECK_THROWS_AS(parse_proxy("AF"), UserError);
  CHECK(parse_proxy("nf") == Proxy::nf);
}

TEST_CASE("search config version 2: math and cuda_graphs; version-1 files read as strict with an unchanged digest") {
  SearchConfig a = search_preset("demo");
  a.seed = 7;
  a.data_seed = 7;  // what a version-1 file means (its split came from the seed)
  // A version-1 file is a version-2 one without the two fields.
  auto v1 = a.to_json();
  v1["version"] = 1;
  v1.erase("math");
  v1.erase("cuda_graphs");
  const SearchConfig old = SearchConfig::from_json(v1, "run/config.json");
  CHECK(old.math == "strict");
  CHECK(!old.cuda_graphs);
  CHECK(!old.semantic_json().contains("math"));  // so ω_share / controller digests of v1 runs still match
  CHECK(old.digest() == a.digest());
  CHECK(config_diff(old, a).empty());
  // Version 2 requires both fields.
  auto v2 = a.to_json();
  v2.erase("math");
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(v2, "run/config.json"), doctest::Contains("\"math\""), UserError);

  SearchConfig g = a;
  g.device = "cuda", g.math = "bf16", g.cuda_graphs = true;
  CHECK(error_of(g).empty());
  const SearchConfig back = SearchConfig::from_json(g.to_json(), "run/config.json");
  CHECK(back.math == "bf16");
  CHECK(back.cuda_graphs);
  SearchConfig s = g;
  s.math = "strict";
  auto d = config_diff(s, g);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == "math: \"strict\" -> \"bf16\"");
  s.cuda_graphs = false;  // not semantic: a run may resume with or without graphs
  CHECK(config_diff(s, g).size() == 1);

  SearchConfig cpu = a;
  cpu.math = "bf16";
  CHECK(error_of(cpu).find("--math bf16 needs --device cuda") != std::string::npos);
  cpu.math = "fp8";
  CHECK(error_of(cpu).find("--math fp8") != std::string::npos);
  cpu.math = "strict", cpu.cuda_graphs = true;
  CHECK(error_of(cpu).find("--cuda-graphs") != std::string::npos);
}

TEST_CASE("search config: every number must be finite and in range") {
  const SearchConfig c = search_preset("demo");
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  SearchConfig a = c;
  a.finetune_lr = inf;  // was written to config.json as null
  CHECK(error_of(a).find("--finetune-lr: inf is not a finite number") != std::string::npos);
  a.finetune_lr = nan;
  CHECK(error_of(a).find("--finetune-lr") != std::string::npos);
  SearchConfig b = c;
  b.lr = inf;  // what --lr 1e400 parses to
  CHECK(error_of(b).find("--lr: inf") != std::string::npos);
  b.lr = 2e6;
  CHECK(error_of(b).find("--lr") != std::string::npos);
  SearchConfig m = c;
  m.momentum = nan;
  CHECK(error_of(m).find("--momentum") != std::string::npos);
  SearchConfig t = c;
  t.threads = 100000;
  CHECK(error_of(t).find("--threads") != std::string::npos);
  SearchConfig v = c;
  v.subset = int64_t(1) << 40;
  CHECK(error_of(v).find("--subset") != std::string::npos);
  CHECK(error_of(c).empty());
  // A valid config always round-trips through JSON: no number written as null. (The recorded build
  // information holds null for what a build lacks, e.g. cuDNN in a cpu-only build; it is not read back.)
  nlohmann::json j = c.to_json();
  j.erase("build");
  CHECK(j.dump().find("null") == std::string::npos);
}

TEST_CASE("search config: seeds are 0 .. 2^64-1, no sign, no wrap-around") {
  CHECK(parse_seed("0", "--seed") == 0);
  CHECK(parse_seed("18446744073709551615", "--seed") == 18446744073709551615ull);
  CHECK_THROWS_WITH_AS(parse_seed("18446744073709551616", "--seed"), doctest::Contains("too large"), UserError);
  CHECK_THROWS_WITH_AS(parse_seed("99999999999999999999999", "--seed"), doctest::Contains("2^64-1"), UserError);
  CHECK_THROWS_WITH_AS(parse_seed("-1", "--seed"), doctest::Contains("--seed -1: not a seed"), UserError);
  CHECK_THROWS_AS(parse_seed("+1", "--seed"), UserError);
  CHECK_THROWS_AS(parse_seed("", "--seed"), UserError);
  CHECK_THROWS_AS(parse_seed("1e3", "--data-seed"), UserError);
}

TEST_CASE("search config: config.json numbers are read strictly, an overflow names its field") {
  SearchConfig a = search_preset("demo");
  auto j = a.to_json();
  j["seed"] = 1e23;  // a 23-digit integer parses as a float: never converted silently
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"), doctest::Contains("\"seed\" is not an integer"),
                       UserError);
  j = a.to_json();
  j["threads"] = int64_t(1) << 40;
  CHECK_THROWS_WITH_AS(SearchConfig::from_json(j, "run/config.json"), doctest::Contains("\"threads\" is out of range"),
                       UserError);
  j = a.to_json();
  j["k"] = -1;
  CHECK(SearchConfig::from_json(j, "run/config.json").k == -1);  // in int's range: validate() refuses it later
  // The JSON library throws on 1e400 while parsing; the reader names the file and the field.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("aws-config-overflow-" + std::to_string(::getpid()) + ".json")).string();
  std::string text = a.to_json().dump(2);
  const size_t at = text.find("\"finetune_lr\": ");
  REQUIRE(at != std::string::npos);
  text.replace(at, text.find(',', at) - at, "\"finetune_lr\": 1e400");
  std::ofstream(path) << text;
  const std::string want = path + ": field \"finetune_lr\" holds a number out of range";
  CHECK_THROWS_WITH_AS(read_search_config(path), doctest::Contains(want.c_str()), UserError);
  std::filesystem::remove(path);
}

TEST_CASE("search config: a resume needs the same data fingerprint and, on the cpu, the same threads") {
  SearchConfig stored = search_preset("demo");
  stored.threads = 2;
  stored.data_fingerprint = "00000000000000aa";
  SearchConfig wanted = stored;
  CHECK(resume_mismatch(stored, wanted).empty());
  wanted.threads = 1;
  auto m = resume_mismatch(stored, wanted);
  REQUIRE(m.size() == 1);
  CHECK(m[0].find("--threads: the run used 2 cpu threads, this one 1") != std::string::npos);
  wanted.threads = 2;
  wanted.data_fingerprint = "00000000000000bb";
  m = resume_mismatch(stored, wanted);
  REQUIRE(m.size() == 1);
  CHECK(m[0].find("training data differ") != std::string::npos);
  // Unknown stored values (an older run directory) are no reason to refuse; cuda ignores threads.
  SearchConfig old = stored;
  old.threads = 0;
  old.data_fingerprint.clear();
  CHECK(resume_mismatch(old, wanted).empty());
  SearchConfig g = stored, h = stored;
  g.device = h.device = "cuda";
  h.threads = 7;
  CHECK(resume_mismatch(g, h).empty());
  // Neither is in the digest (the policy's config_digest stays comparable across machines).
  CHECK(old.digest() == wanted.digest());
  // Version 3 round-trips the fingerprint; an older file reads it as empty.
  CHECK(SearchConfig::from_json(stored.to_json(), "c.json").data_fingerprint == "00000000000000aa");
  auto v2 = stored.to_json();
  v2["version"] = 2;
  CHECK(SearchConfig::from_json(v2, "c.json").data_fingerprint.empty());
}

TEST_CASE("device: parsed once (cpu, cuda, cuda:N); the GPU index is not part of a run's identity") {
  CHECK(parse_device("cpu").kind == Device::cpu);
  CHECK(parse_device("cuda").kind == Device::cuda);
  CHECK(parse_device("cuda").gpu == 0);
  const DeviceSpec d = parse_device("cuda:3");
  CHECK(d.kind == Device::cuda);
  CHECK(d.gpu == 3);
  CHECK(d.str() == "cuda:3");
  CHECK(parse_device("cuda:0").str() == "cuda");
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:1024", "cuda:99999", "cpu:0", "CUDA", ""}) {
    CAPTURE(bad);
    std::string msg;
    try {
      parse_device(bad, "--device");
    } catch (const UserError& e) {
      msg = e.what();
    }
    CHECK(msg.find("--device") == 0);
  }
  SearchConfig a = search_preset("demo"), b = a;
  a.device = "cuda";
  b.device = "cuda:1";
  CHECK(error_of(b).empty());
  CHECK(a.digest() == b.digest());
  CHECK(config_diff(a, b).empty());
  b.device = "cuda:y";
  CHECK(error_of(b).find("--device") == 0);
}
