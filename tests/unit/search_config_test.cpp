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
