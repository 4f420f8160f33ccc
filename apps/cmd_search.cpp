// `aws search` (the two-stage AWS search, resumable from its run directory) and `aws report RUN`
// (the HTML report of a run). Flags override the named preset's values.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

#include "apps/commands.h"
#include "apps/cuda_options.h"
#include "apps/world_option.h"
#include "apps/progress.h"
#include "models/precision.h"
#include "search/correlate.h"
#include "search/report.h"
#include "search/search_config.h"
#include "augment/elements.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "engine/dist/communicator.h"
#include "search/null_run.h"
#include "search/policy_stats.h"
#include "search/search_driver.h"

namespace aws::cli {

namespace {

// Progress bars on a terminal (plain lines otherwise) for each stage.
struct CliObserver : SearchObserver {
  std::unique_ptr<Progress> bar;
  void message(const std::string& line) override { std::fprintf(stderr, "%s\n", line.c_str()); }
  void stage_begin(const std::string& label, int64_t total) override { bar = std::make_unique<Progress>(label, total); }
  void stage_step(int64_t i, const std::string& status) override {
    if (bar) bar->update(i, status);
  }
  void stage_end(const std::string& status) override {
    if (bar) bar->finish(status);
    bar.reset();
  }
};

// The flags that make a SearchConfig (a preset, then the flags given): `aws search` and `aws correlate`.
struct SearchFlags {
  std::string preset = "demo", data = "fashion-mnist", data_dir, model = "resnet20", proxy = "af", device = "cpu",
              math = "auto";
  uint64_t seed = 0, data_seed = 0;
  int threads = 0;
  bool cuda_graphs = false;
  // Overrides of the preset (applied only when given).
  int t_max = 0, k = 0, stage1_epochs = 0, finetune_epochs = 0;
  int64_t subset = 0, val = 0, batch = 0;
  double lr = 0, finetune_lr = 0, policy_lr = 0;
  std::string mode, controller, plant;
  int sparse_pairs = 0;
};

}  // namespace

// CLI11 check for a seed flag: search_config.h's parse_seed (no sign, no wrap-around past 2^64-1).
CLI::Validator seed_check(const std::string& flag) {
  return CLI::Validator(
      [flag](std::string& v) {
        try {
          parse_seed(v, flag);
        } catch (const UserError& e) {
          return std::string(e.what());
        }
        return std::string();
      },
      "SEED");
}


// Registers the search's configuration flags on `s`; with `stage2` false, only those of the data, the
// model, stage 1 and the fine-tune (no proxy, loops, mode or controller: aws correlate). Returns the
// function that resolves them into a SearchConfig.
std::function<SearchConfig()> add_search_flags(CLI::App* s, bool stage2) {
  auto a = std::make_shared<SearchFlags>();
  s->add_option("--preset", a->preset, "demo | paper | paper-cifar10-resnet18 | paper-imagenet-resnet50 (flags below "
                "override it)")->capture_default_str();
  std::vector<std::function<void(SearchConfig&)>> given;
  auto flag = [&](const char* name, auto* value, auto SearchConfig::*field, const char* help) {
    CLI::Option* o = s->add_option(name, *value, help);
    given.push_back([o, value, field](SearchConfig& c) {
      if (o->count()) c.*field = *value;
    });
  };
  flag("--data", &a->data, &SearchConfig::data,
       "fashion-mnist | cifar10 | cifar100 | folder[,size=S][,skip-bad][,stream]:DIR (default: the preset's)");
  s->add_option("--data-dir", a->data_dir, "dataset folder (default: the dataset's standard place)");
  flag("--model", &a->model, &SearchConfig::model, "resnet18 | resnet20 | resnet32 | resnet50 ... resnet200 | wrn-D-K (default: the preset's)");
  if (stage2) s->add_option("--proxy", a->proxy, "af (the method) | nf | it | av (SPEC §10)")->capture_default_str();
  s->add_option("--device", a->device, "cpu | cuda | cuda:N (GPU N; cuda = GPU 0)")->capture_default_str();
  s->add_option("--seed", a->seed, "initialization, augmentation draws and the controller")->capture_default_str()->check(seed_check("--seed"));
  s->add_option("--data-seed", a->data_seed, "the D_tr / D_val split and the subset")->capture_default_str()->check(seed_check("--data-seed"));
  s->add_option("--threads", a->threads, "cpu threads (0: all; recorded resolved, a resume needs the same count)")
      ->check(CLI::Range(0, 1024));
  add_math_option(s, a->math);
  add_cuda_graphs_flag(s, a->cuda_graphs);
  if (stage2) {
    flag("--t-max", &a->t_max, &SearchConfig::t_max, "stage-2 loops (T_max)");
    flag("--k", &a->k, &SearchConfig::k, "trajectories per PPO update");
    flag("--policy-lr", &a->policy_lr, &SearchConfig::policy_lr, "the controller's Adam LR after its warm-up "
         "(0.1; 0.2 in the ImageNet preset)");
  }
  flag("--stage1-epochs", &a->stage1_epochs, &SearchConfig::stage1_epochs, "stage-1 epochs");
  flag("--finetune-epochs", &a->finetune_epochs, &SearchConfig::finetune_epochs, "fine-tune epochs per trajectory");
  flag("--subset", &a->subset, &SearchConfig::subset, "D_tr: a stratified subset of this many images (0: all)");
  flag("--val", &a->val, &SearchConfig::val, "D_val size");
  flag("--batch", &a->batch, &SearchConfig::batch, "batch size");
  flag("--lr", &a->lr, &SearchConfig::lr, "stage-1 peak LR (warm-up 0.05 -> it, cosine to 0.001)");
  flag("--finetune-lr", &a->finetune_lr, &SearchConfig::finetune_lr, "stage-2 constant LR");
  CLI::Option* o_mode = nullptr;
  if (stage2) {
    o_mode = s->add_option("--mode", a->mode, "paper (the paper's method) | sparse (each trajectory draws "
                           "--sparse-pairs pairs from p_θ; a departure from the paper, docs/SEARCH.md)");
    flag("--sparse-pairs", &a->sparse_pairs, &SearchConfig::sparse_pairs, "sparse mode: pairs M per trajectory");
    flag("--controller", &a->controller, &SearchConfig::controller, "flat (the paper's θ over 1296 pairs) | factored "
         "(the authors' code: p(i) p(j|i)) | product (p(i) p(j), 36 numbers)");
    flag("--plant", &a->plant, &SearchConfig::plant, "planted-signal instrument ELEMENT:COST: the reward loses "
         "COST points times the share of images whose pair holds ELEMENT");
  }
  return [a, given, o_mode] {
    SearchConfig c = search_preset(a->preset);
    c.data_dir = a->data_dir;
    c.proxy = a->proxy;
    c.device = a->device;
    c.math = resolve_math(a->math, c.backend());
    c.cuda_graphs = a->cuda_graphs;
    c.seed = a->seed;
    c.data_seed = a->data_seed;
    c.threads = a->threads;
    for (const auto& apply : given) apply(c);
    if (o_mode && o_mode->count()) {
      if (a->preset.rfind("paper", 0) == 0 && a->mode != "paper")
        throw UserError("--mode " + a->mode + ": --preset " + a->preset + " fixes --mode paper (it is the paper's method)");
      c.mode = a->mode;
    }
    return c;
  };
}

void add_search_commands(CLI::App& app) {
  auto run = std::make_shared<std::string>();
  auto nulls = std::make_shared<int>(0);  // null runs after the search (seeds 0 .. nulls-1)
  auto world_size = std::make_shared<int>(0);  // --world-size (0: the launcher's environment)
  CLI::App* s = app.add_subcommand("search", "run (or resume) the AWS augmentation search into a run directory");
  s->add_option("--run", *run, "run directory (created, or resumed when it exists)")->required();
  const auto config = add_search_flags(s, true);
  s->add_option("--null", *nulls, "then run N null searches (rewards permuted, no fine-tuning; seconds) into "
                "RUN/null-0 .. null-N-1, shown beside the run in the report")->check(CLI::Range(0, 64));
  add_world_size_option(s, *world_size);
  s->callback([=] {
    const SearchConfig c = config();
    const std::string& dir = *run;
    // Under mpirun/srun (docs/DISTRIBUTED.md) every rank searches; rank 0 alone reports and writes.
    std::unique_ptr<Communicator> world = make_world_communicator(*world_size);
    CliObserver obs;
    SearchObserver quiet;
    SearchResult r;
    try {
      r = run_search(c, dir, world->rank() == 0 ? obs : quiet, world.get());
    } catch (const std::exception& e) {
      end_job(*world, e);
    }
    if (world->rank() != 0) return;  // the null runs and the report: rank 0's files
    for (int n = 0; n < *nulls; ++n) {
      const nlohmann::json sum = run_null(dir, uint64_t(n));
      std::fprintf(stderr, "null %d: best θ KL to uniform %.4f (%s)\n", n,
                   sum["best"]["kl_uniform"].get<double>(), null_dir(dir, uint64_t(n)).c_str());
    }
    std::string report = write_search_report(dir);
    // With K > 1 the figure is the loop's mean reward over its K trajectories (the best-θ rule).
    std::printf("search done: stage 1 %.1f s%s, stage 2 %.1f s (%lld loops run, %lld resumed); %s %.2f "
                "at loop %lld\npolicy: %s/policy.json (last θ: %s/policy-last.json)\nreport: %s\n",
                r.stage1_seconds, r.stage1_loaded ? " (loaded)" : "", r.stage2_seconds, (long long)r.loops_run,
                (long long)r.loops_resumed, c.k > 1 ? "best loop-mean reward" : "best reward", r.best_reward, (long long)r.best_loop, dir.c_str(), dir.c_str(),
                report.c_str());
  });

  // aws compare: the figures of policy files side by side (search/policy_stats.h), e.g. a run's policy
  // against its nulls, or two search seeds (seed agreement) against two nulls.
  auto files = std::make_shared<std::vector<std::string>>();
  auto element = std::make_shared<std::string>();
  CLI::App* cmp = app.add_subcommand("compare", "entropy, KL to uniform, element marginals and agreement of policy files");
  cmp->add_option("POLICY", *files, "policy.json files (the first is the reference for agreement)")->required();
  cmp->add_option("--element", *element, "also the mass on the pairs holding this element (e.g. Invert)");
  cmp->callback([=] {
    const int e = element->empty() ? -1 : element_index(*element);
    std::vector<std::vector<double>> probs;
    nlohmann::json out = nlohmann::json::array();
    for (const std::string& f : *files) {
      const Policy p = read_policy_json(f);
      if (p.alphabet != kElements) throw UserError(f + ": not a searched policy over the 36 elements");
      probs.push_back(p.probs);
      nlohmann::json j = policy_figures(p.probs, e);
      // The five heaviest elements by name (marginal over its uniform 1/36) instead of all 36 numbers.
      const std::vector<double> m = j["marginals"].get<std::vector<double>>();
      std::vector<int> order(m.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
      std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](int a, int b) { return m[a] > m[b]; });
      j.erase("marginals");
      for (int i = 0; i < 5; ++i)
        j["heaviest_elements"].push_back({{"element", element_info(order[i]).name}, {"over_uniform", m[order[i]] * kElements}});
      j["file"] = f;
      j["agreement_with_first"] = policy_agreement(probs.front(), p.probs);
      out.push_back(j);
    }
    std::printf("%s\n", out.dump(2).c_str());
  });

  auto dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* r = app.add_subcommand("report", "write the HTML report of a search run directory");
  r->add_option("RUN", *dir, "run directory of `aws search`")->required();
  r->add_option("--out", *out, "output file (default RUN/report.html)");
  r->callback([=] { std::printf("%s\n", write_search_report(*dir, *out).c_str()); });

  auto c = std::make_shared<CorrelateConfig>();
  CLI::App* k = app.add_subcommand("correlate", "proxy correlation study on the search's configuration: full "
                                   "training vs P_AF/P_NF/P_IT/P_AV (docs/SEARCH.md)");
  k->add_option("--out", c->out, "output folder (resumed when it holds a study of the same configuration)")->capture_default_str();
  const auto study_config = add_search_flags(k, false);
  k->add_option("--policies", c->policies, "number of sampled policies (>= 6)")->capture_default_str()->check(CLI::Range(6, 100000));
  k->add_option("--truth-epochs", c->truth_epochs, "ground truth: epochs of recipe `final` per policy")->capture_default_str()->check(CLI::Range(1, 1000000));
  k->add_option("--second-seed", c->second_seed, "the first N policies get a second ground-truth seed (noise ceiling)")->capture_default_str()->check(CLI::Range(0, 100000));
  k->add_option("--bootstrap", c->bootstrap, "bootstrap resamples for the 95% intervals")->capture_default_str()->check(CLI::Range(100, 1000000));
  k->callback([=] {
    CorrelateConfig cfg = *c;
    cfg.search = study_config();
    run_correlate(cfg, [](const std::string& l) { std::fprintf(stderr, "%s\n", l.c_str()); });
  });
}

}  // namespace aws::cli
