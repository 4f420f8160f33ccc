// Search configuration: validation messages name the flag, presets, strict JSON round trip, the
// semantic digest and the diff that refuses a run directory made by another configuration.
#include <doctest/doctest.h>

#include <string>

#include "engine/core/error.h"
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
  SearchConfig d = search_preset("demo");
  CHECK(d.t_max < p.t_max);
  CHECK(d.subset > 0);
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
  CHECK_THROWS_AS(parse_proxy("AF"), UserError);
  CHECK(parse_proxy("nf") == Proxy::nf);
}

TEST_CASE("search config version 2: math and cuda_graphs; version-1 files read as strict with an unchanged digest") {
  SearchConfig a = search_preset("demo");
  a.seed = 7;
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
