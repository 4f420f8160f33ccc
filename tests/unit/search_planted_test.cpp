// The planted-signal instrument at tiny scale (issue 12): the whole real path (restore → fine-tune under
// the trajectory's pairs → evaluate → counts → PPO update) with a known reward term, −COST × the share
// of images whose pair holds Invert. The sparse mode with the product controller must push the Invert
// pairs' mass below half of its uniform share, while its null runs (same rewards permuted, counts
// under their own θ) stay inside their band. Seeded; the figures are printed.
#include <doctest/doctest.h>

#include <filesystem>

#include "augment/elements.h"
#include "augment/policy_json.h"
#include "search/null_run.h"
#include "search/policy_stats.h"
#include "search/search_driver.h"
#include "tests/support/test_data.h"

using namespace aws;
namespace fs = std::filesystem;

TEST_CASE("search: the sparse mode finds a planted Invert penalty; its nulls do not") {
  const test::TempDir tmp("aws_planted_test");
  const std::string dir = tmp.path + "/run";
  const Dataset train = test::synthetic_dataset(240, 7);
  SearchConfig c = search_preset("demo");
  c.data = "synthetic";
  c.val = 40;
  c.subset = 0;
  c.batch = 20;
  c.stage1_epochs = 1;
  c.finetune_epochs = 1;
  c.lr = 0.05;
  c.finetune_lr = 0.05;
  c.threads = 1;
  c.seed = 3;
  c.mode = "sparse";
  c.sparse_pairs = 4;
  c.controller = "product";
  c.k = 8;
  c.t_max = 30;
  c.plant = "Invert:8";
  SearchObserver quiet;
  run_search_on(c, train, dir, quiet);
  const int invert = element_index("Invert");
  const double run_last = policy_figures(read_policy_json(dir + "/policy-last.json").probs, invert)
                              ["element_pair_mass_over_uniform"].get<double>();
  MESSAGE("planted search: Invert pairs' mass / uniform share, last θ: ", run_last);
  CHECK(run_last < 0.5);
  for (uint64_t s = 0; s < 3; ++s) {
    run_null(dir, s);
    const double null_last = policy_figures(read_policy_json(null_dir(dir, s) + "/policy-last.json").probs, invert)
                                 ["element_pair_mass_over_uniform"].get<double>();
    MESSAGE("null ", s, ": Invert pairs' mass / uniform share, last θ: ", null_last);
    CHECK(null_last > 0.5);
    CHECK(null_last < 2.0);
  }
}
