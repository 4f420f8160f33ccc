// `aws train` (a model from scratch under a policy, with per-epoch test accuracy, metrics JSONL and a
// checkpoint) and `aws eval` (a checkpoint's accuracy on a dataset's test split).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "apps/commands.h"
#include "apps/cuda_options.h"
#include "apps/world_option.h"
#include "models/precision.h"
#include "apps/progress.h"
#include "augment/builtin_policies.h"
#include "engine/runtime/build_info.h"
#include "core/strprintf.h"
#include "engine/runtime/memory.h"
#include "engine/data/normalize.h"
#include "engine/data/registry.h"
#include "engine/data/split.h"
#include "engine/dist/communicator.h"
#include "engine/io/atomic_file.h"
#include "engine/io/jsonl.h"
#include "engine/optim/sgd.h"
#include "train/model_file.h"
#include "search/search_config.h"
#include "train/recipe.h"
#include "train/final_training.h"
#include "train/streamed_folder.h"
#include "train/trainer.h"

namespace aws::cli {

namespace {

struct TrainArgs {
  std::string model = "resnet20", data = "fashion-mnist", data_dir, policy = "crop-flip", out = "runs/train";
  std::string device = "cpu", init;
  std::string math = "auto";  // models/precision.h
  std::string recipe = "default";
  TrainRecipe r;      // resolved in the callback: the named recipe, then the flags given
  TrainRecipe given;  // the values of the recipe flags on the command line
  std::vector<std::function<void(TrainRecipe&)>> overrides;  // one per recipe flag, applied when given
  bool cuda_graphs = false, zero_init_residual = false;
  int eb = 1, threads = 0, world_size = 0;
  int64_t subset = 0, val = 0;
  uint64_t seed = 0, data_seed = 0;
};

// Progress bars and metrics.jsonl for `aws train`. The output folder and metrics.jsonl are made when
// the training is ready (every input checked), never before.
struct TrainCliObserver : TrainingObserver {
  std::string out;
  int epochs;
  std::unique_ptr<JsonlWriter> metrics;
  std::unique_ptr<Progress> bar;
  TrainCliObserver(std::string o, int e) : out(std::move(o)), epochs(e) {}
  void message(const std::string& line) override { std::fprintf(stderr, "%s\n", line.c_str()); }
  void ready() override {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw UserError(out + ": cannot create the output folder (" + ec.message() + ")");
    metrics = std::make_unique<JsonlWriter>(out + "/metrics.jsonl");
  }
  void epoch_begin(int e, int64_t steps) override {
    bar = std::make_unique<Progress>("epoch " + std::to_string(e + 1) + "/" + std::to_string(epochs), steps);
  }
  void step(int64_t s, double loss, double acc) override { bar->update(s, strprintf("loss %.4f acc %.2f%%", loss, acc)); }
  void epoch_end(const nlohmann::json& rec) override {
    bar->finish(strprintf("loss %.4f train %.2f%%", rec["loss"].get<double>(), rec["train_acc"].get<double>()) +
                strprintf(" test %.2f%% (%.0f img/s)", rec["test_acc"].get<double>(), rec["images_per_s"].get<double>()));
    metrics->write(rec);
  }
};

void run_train(const TrainArgs& a) {
  DeviceSpec dev = parse_device(a.device);
  check_cuda_graphs(a.cuda_graphs, dev.kind);
  TrainingSpec spec;
  spec.model = a.model;
  spec.math = resolve_math(a.math, dev.kind);
  spec.recipe = a.r;
  spec.policy = load_policy(a.policy);
  spec.seed = a.seed;
  spec.eb = a.eb;
  spec.cuda_graphs = a.cuda_graphs;
  spec.init = a.init;
  spec.zero_init_residual = a.zero_init_residual;
  Dataset train = load_dataset(a.data, a.data_dir, true);
  Dataset test = load_dataset(a.data, a.data_dir, false);
  const Split split = make_data_split(train, a.val, a.subset, a.data_seed);

  // Under mpirun/srun: data-parallel ranks (docs/DISTRIBUTED.md), a GPU each; rank 0 alone reports and writes.
  std::unique_ptr<Communicator> host = make_world_communicator(a.world_size);
  std::optional<Ctx> ctx;
  std::unique_ptr<Communicator> world;  // the training's own copy of the world (NCCL over it on cuda)
  TrainCliObserver obs(a.out, a.r.epochs);
  TrainingObserver quiet;
  TrainingResult res;
  try {
    // The device and its communicator too: a rank that fails there (its GPU, NCCL's setup) ends the
    // whole job through MPI instead of leaving the others waiting for it.
    ctx.emplace(device_of_rank(dev, host->size()), a.threads);
    world = make_device_communicator(*ctx, host->split(0, host->rank()));
    spec.comm = world.get();
    res = train_model(*ctx, train, test, split, spec, world->rank() == 0 ? obs : quiet);
  } catch (const std::exception& e) {
    end_job(*host, e);  // a file rank 0 cannot write, a divergence: the whole job ends, not just one rank
  }
  if (world->rank() != 0) return;

  ModelFileInfo info;
  info.dataset = a.data;
  info.norm = res.norm;
  info.extra = {{"epochs", a.r.epochs}, {"policy", spec.policy.name}, {"test_acc", res.test_acc}, {"seed", a.seed},
                {"ranks", world->size()}};
  save_model_file(*ctx, a.out + "/model.ckpt", *res.model, info, false);
  nlohmann::json result{{"recipe", a.r.to_json()}, {"init", a.init}, {"model", a.model},       {"data", a.data},     {"policy", spec.policy.name},
                        {"epochs", a.r.epochs},     {"seed", a.seed},     {"final_test_acc", res.test_acc},
                        {"final_test_error", 100.0 - res.test_acc},  {"best_epoch_test_acc_optimistic", res.best_test}};
  if (res.val_acc >= 0) result["final_val_acc"] = res.val_acc;
  result["ranks"] = world->size();
  result["build"] = build_info_json();
  atomic_write_file(a.out + "/result.json", result.dump(2) + "\n");
  std::printf("final test accuracy %.2f%% (error %.2f%%) after %d epochs; checkpoint %s/model.ckpt\n", res.test_acc,
              100.0 - res.test_acc, a.r.epochs, a.out.c_str());
}

void run_eval(const std::string& ckpt, const std::string& data_dir, const std::string& device, int threads) {
  ModelFileInfo info = read_model_file_info(ckpt);
  Dataset test = load_dataset(info.dataset, data_dir, false);
  if (test.h != info.spec.h || test.w != info.spec.w || test.c != info.spec.c)
    throw UserError(ckpt + ": model input does not match dataset '" + info.dataset + "'");
  Ctx ctx(parse_device(device), threads);
  const int64_t batch = 500;
  auto model = create_model(info.spec, batch, ctx.device);
  model->commit(ctx);
  load_model_file(ctx, ckpt, *model);
  const std::unique_ptr<BatchSource> res = make_batch_source(ctx, test, batch);
  // Evaluation needs no optimizer, so no Trainer.
  const double acc = evaluate_model(ctx, *model, *res, {}, info.norm);
  std::printf("%s: test accuracy %.2f%% on %lld %s test images\n", ckpt.c_str(), acc, (long long)test.n,
              info.dataset.c_str());
}

// CLI11 check that a number flag's value is a finite number ("nan", "inf" and "1e400" are refused).
CLI::Validator finite_check() {
  return CLI::Validator(
      [](std::string& v) {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0' || !std::isfinite(d)) return v + " is not a finite number";
        return std::string();
      },
      "NUMBER");
}

}  // namespace

void add_train_commands(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* t = app.add_subcommand("train", "train a model from scratch under an augmentation policy");
  t->add_option("--model", a->model, "resnet18 | resnet20 | resnet32 | resnet50 | resnet101 | resnet152 | resnet200 | wrn-D-K")
      ->capture_default_str();
  t->add_option("--data", a->data, "fashion-mnist | cifar10 | cifar100 | folder[,size=S][,skip-bad][,stream]:DIR")
      ->capture_default_str();
  t->add_option("--data-dir", a->data_dir, "dataset folder (default: the dataset's standard place)");
  t->add_option("--policy", a->policy, "built-in policy name or policy.json")->capture_default_str();
  t->add_option("--recipe", a->recipe,
                join(train_recipe_names(), " | ") + " (train/recipe.h); the flags below override it")
      ->capture_default_str();
  // A recipe flag binds to `given` and, when given, overrides the recipe's field in the callback.
  auto recipe_flag = [&](const char* name, auto TrainRecipe::*field, const char* help) {
    CLI::Option* o = t->add_option(name, a->given.*field, help);
    // CLI::Range lets NaN through (every comparison is false): a number flag must be finite first.
    if constexpr (std::is_floating_point_v<std::remove_reference_t<decltype(a->given.*field)>>) o->check(finite_check());
    a->overrides.push_back([o, field, a](TrainRecipe& r) {
      if (o->count()) r.*field = a->given.*field;
    });
    return o;
  };
  recipe_flag("--epochs", &TrainRecipe::epochs, "epochs")->check(CLI::Range(1, 100000));
  recipe_flag("--batch", &TrainRecipe::batch, "batch size")->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  recipe_flag("--lr", &TrainRecipe::lr, "peak learning rate")->check(CLI::Range(1e-30, 1e6));
  recipe_flag("--schedule", &TrainRecipe::schedule, "constant | cosine[:FLOOR] | step:F1,F2[:GAMMA]");
  recipe_flag("--warmup-epochs", &TrainRecipe::warmup_epochs, "linear warm-up epochs")->check(CLI::Range(0.0, 1e6));
  recipe_flag("--warmup-from", &TrainRecipe::warmup_from, "LR at the start of the warm-up")->check(CLI::Range(0.0, 1e3));
  recipe_flag("--momentum", &TrainRecipe::momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0));
  recipe_flag("--nesterov", &TrainRecipe::nesterov, "Nesterov momentum (true | false)");
  recipe_flag("--wd", &TrainRecipe::weight_decay, "weight decay (not on BN parameters or biases)")->check(CLI::Range(0.0, 1.0));
  recipe_flag("--label-smoothing", &TrainRecipe::label_smoothing, "label smoothing")->check(CLI::Range(0.0, 0.999));
  recipe_flag("--clip", &TrainRecipe::clip, "gradient-norm clipping (0: off)")->check(CLI::Range(0.0, 1e9));
  recipe_flag("--bn-momentum", &TrainRecipe::bn_momentum, "BN running-statistics momentum")->check(CLI::Range(0.0, 1.0));
  t->add_option("--init", a->init, "start from this model file (e.g. a search's omega_share.ckpt) instead of a fresh "
                "initialization");
  t->add_flag("--zero-init-residual", a->zero_init_residual,
              "start each bottleneck block's last BN gamma at 0 (resnet50 and deeper)");
  t->add_option("--eb", a->eb, "Enlarge Batch: augmented copies per image")->capture_default_str()->check(CLI::Range(1, 64));
  t->add_option("--subset", a->subset, "train on a stratified subset of this many images (0: all)")->check(CLI::Range(int64_t(0), int64_t(1) << 31));
  t->add_option("--val", a->val, "hold out a stratified validation split of this size (0: none)")->check(CLI::Range(int64_t(0), int64_t(1) << 31));
  t->add_option("--seed", a->seed, "initialization and augmentation draws")->capture_default_str()->check(seed_check("--seed"));
  t->add_option("--data-seed", a->data_seed, "the --val split and the --subset draw")->capture_default_str()->check(seed_check("--data-seed"));
  t->add_option("--device", a->device, "cpu | cuda | cuda:N (GPU N; cuda = GPU 0)")->capture_default_str();
  t->add_option("--threads", a->threads, "cpu threads (0: all)")->capture_default_str()->check(CLI::Range(0, 1024));
  add_math_option(t, a->math);
  add_cuda_graphs_flag(t, a->cuda_graphs);
  add_world_size_option(t, a->world_size);
  t->add_option("--out", a->out, "output folder (metrics.jsonl, model.ckpt, result.json)")->capture_default_str();
  t->callback([a] {
    a->r = train_recipe(a->recipe);
    for (const auto& apply : a->overrides) apply(a->r);
    run_train(*a);
  });

  auto ckpt = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>("cpu");
  auto threads = std::make_shared<int>(0);
  CLI::App* e = app.add_subcommand("eval", "test accuracy of a checkpoint written by `aws train`");
  e->add_option("--checkpoint", *ckpt, "model.ckpt")->required();
  e->add_option("--data-dir", *dir, "dataset folder (default: the dataset's standard place)");
  e->add_option("--device", *device, "cpu | cuda | cuda:N (GPU N; cuda = GPU 0)")->capture_default_str();
  e->add_option("--threads", *threads)->check(CLI::Range(0, 1024));
  e->callback([=] { run_eval(*ckpt, *dir, *device, *threads); });
}

}  // namespace aws::cli
