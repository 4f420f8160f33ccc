// `aws bench`: benchmarks next to a peer in the same run. `aws bench train-step` times full train
// steps of the shared training loop (Trainer::train_epoch: crop+flip augmentation on a synthetic
// uint8 dataset, forward, softmax-CE, backward, SGD Nesterov) and then runs the PyTorch peer
// bench/train_step_peer.py (Debian's /usr/bin/python3) with the same model, shape, batch and threads,
// printing both, the ratio ours/peer and our peak resident memory. `aws bench augment` lives in
// bench_augment.cpp.
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/peer_process.h"
#include "apps/cuda_options.h"
#include "models/precision.h"
#include "augment/builtin_policies.h"
#include "core/error.h"
#include "engine/data/normalize.h"
#include "engine/optim/sgd.h"
#include "models/memory_plan.h"
#include "search/search_config.h"
#include "train/trainer.h"

namespace aws::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct StepArgs {
  std::string model = "resnet20", shape = "28x28x1", device = "cpu", peer_script;
  std::string math = "auto";  // models/precision.h
  bool cuda_graphs = false;
  int64_t batch = 128;
  int steps = 20, warmup = 3, threads = 0;
  bool peer = true;
  // search-step: the search's own step (SPEC §7, search/search_config.h): the uniform pair-op policy
  // (crop, flip, pair-op, Cutout), gradient clipping at 3.0, label smoothing 0.05, BN momentum 0.5.
  bool search = false;
};

struct Timing {
  double median_ms = 0, mean_ms = 0, min_ms = 0, max_ms = 0, images_per_s = 0;
};

Timing summarize(std::vector<double> ms, int64_t batch) {
  Timing t;
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  t.median_ms = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  t.mean_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / double(n);
  t.min_ms = ms.front();
  t.max_ms = ms.back();
  t.images_per_s = double(batch) * 1e3 / t.median_ms;
  return t;
}

void parse_shape(const std::string& s, int& h, int& w, int& c) {
  char tail = 0;
  if (std::sscanf(s.c_str(), "%dx%dx%d%c", &h, &w, &c, &tail) != 3 || h < 1 || w < 1 || (c != 1 && c != 3) ||
      h > 4096 || w > 4096)
    throw UserError("--data-shape: expected HxWxC with C 1 or 3 (e.g. 28x28x1), got '" + s + "'");
}

// The peer script: --peer-script, else $AWS_SOURCE_DIR/bench/, else bench/ in a folder above the binary
// or the working directory, else next to this source file as it was compiled.
std::string find_peer(const std::string& given) {
  const std::string rel = "bench/train_step_peer.py";
  if (!given.empty()) {
    if (!fs::exists(given)) throw UserError("--peer-script " + given + ": no such file");
    return given;
  }
  if (const char* src = std::getenv("AWS_SOURCE_DIR")) {
    fs::path p = fs::path(src) / rel;
    if (fs::exists(p)) return p.string();
  }
  std::vector<fs::path> starts;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  starts.push_back(fs::current_path(ec));
  for (fs::path d : starts)
    for (; !d.empty(); d = d.parent_path()) {
      if (fs::exists(d / rel)) return (d / rel).string();
      if (d == d.root_path()) break;
    }
  fs::path here = fs::path(__FILE__).parent_path().parent_path() / rel;
  if (fs::exists(here)) return here.string();
  throw UserError("--peer: cannot find " + rel + " (set AWS_SOURCE_DIR to the source tree or pass --peer-script)");
}

nlohmann::json run_peer(const StepArgs& a, int threads) {
  const std::string script = find_peer(a.peer_script);
  const std::string cmd = "/usr/bin/python3 '" + script + "' --model " + a.model + " --data-shape " + a.shape +
                          " --batch " + std::to_string(a.batch) + " --steps " + std::to_string(a.steps) +
                          " --warmup " + std::to_string(a.warmup) + " --threads " + std::to_string(threads) +
                          " --device " + a.device + (a.search ? " --search" : "");
  std::string text;
  int rc = 0;
  if (!run_capture(cmd, &text, &rc)) throw UserError("--peer: cannot start /usr/bin/python3");
  const size_t at = text.rfind("\n{", text.size() > 1 ? text.size() - 2 : 0);
  const std::string line = text.substr(at == std::string::npos ? 0 : at + 1);
  if (rc != 0 || line.empty() || line.front() != '{')
    throw UserError("--peer: " + script + " failed (needs Debian's python3-torch): " + cmd);
  return nlohmann::json::parse(line);
}

void run_train_step(const StepArgs& a) {
  if (a.steps < 1 || a.warmup < 0 || a.batch < 1) throw UserError("--steps and --batch must be positive, --warmup >= 0");
  int h = 0, w = 0, c = 0;
  parse_shape(a.shape, h, w, c);
  const DeviceSpec dev = parse_device(a.device);
  resolve_math(a.math, dev.kind);
  check_cuda_graphs(a.cuda_graphs, dev.kind);
  Ctx ctx(dev, a.threads);
  const int threads = ctx.threads > 0 ? ctx.threads : omp_get_max_threads();

  // A synthetic uint8 dataset with enough images for every step without repeats.
  Dataset d;
  d.name = "synthetic";
  d.n = a.batch * (a.steps + a.warmup);
  d.h = h, d.w = w, d.c = c, d.num_classes = 10;
  d.images.resize(size_t(d.n) * d.image_bytes());
  d.labels.resize(size_t(d.n));
  uint64_t s = 0x9E3779B97F4A7C15ull;
  for (auto& px : d.images) s = splitmix64(s), px = uint8_t(s >> 56);
  for (auto& l : d.labels) s = splitmix64(s), l = int32_t(s % 10);
  std::vector<int32_t> idx(size_t(d.n));
  std::iota(idx.begin(), idx.end(), 0);

  const SearchConfig sc;  // the search's defaults: clip, label smoothing, BN momentum
  ModelSpec spec{a.model, h, w, c, 10, a.search ? float(sc.bn_momentum) : 0.1f};
  apply_math(a.math, ctx, spec);
  auto model = create_model(spec, a.batch, ctx.device);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  TrainOptions topt;
  topt.cuda_graphs = a.cuda_graphs;
  if (a.search) topt.clip_norm = float(sc.clip), topt.label_smoothing = float(sc.label_smoothing);
  Trainer trainer(ctx, *model, sgd, topt, a.batch);
  model->init_params(ctx, 0);
  AugmentPlan plan =
      make_augment_plan(load_policy(a.search ? "uniform" : "crop-flip"), h, w, c, compute_normalization(d, idx));
  ResidentImages res(ctx, d);
  LrSchedule lr = parse_lr_schedule("constant", "--schedule");
  lr.base = 0.1;
  lr.total = a.steps + a.warmup;
  lr.validate("--schedule");

  std::printf("%s step: %s on %s, batch %lld, device %s%s, %d threads, %d steps after %d warm-up (%s)\n",
              a.search ? "search" : "train", a.model.c_str(), a.shape.c_str(), (long long)a.batch, a.device.c_str(),
              (math_label(ctx, spec) + (a.cuda_graphs ? ", CUDA graphs" : "")).c_str(), threads,
              a.steps, a.warmup,
              a.search ? "uniform pair-op policy + crop/flip/Cutout, SGD Nesterov 0.9, wd 5e-4, clip 3.0, label "
                         "smoothing 0.05, BN momentum 0.5"
                       : "crop+flip, SGD Nesterov 0.9, wd 5e-4");
  // The synthetic set holds (steps + warm-up) batches; the line also gives the arenas alone.
  std::printf("memory plan: %s (dataset of %lld images)\n",
              plan_memory(*model, ctx.device, d.images.size()).str().c_str(), (long long)d.n);
  // On cuda the trainer reads the device back (and calls back) only every 50 steps, so the warm-up
  // runs as an epoch of its own, and each step of a callback interval is charged the interval's mean.
  // With --cuda-graphs the timed epoch's eager step 0 and its re-capture (step 1) are timed too.
  std::vector<double> ms;
  int64_t iter = 0;
  const auto split = idx.begin() + a.warmup * a.batch;
  if (a.warmup > 0) trainer.train_epoch(res, std::vector<int32_t>(idx.begin(), split), plan, RngKey{1}, lr, iter);
  int64_t last_step = 0;
  auto last = Clock::now();
  trainer.train_epoch(res, std::vector<int32_t>(split, idx.end()), plan, RngKey{1, 0, 0, 0, 1, 0}, lr, iter, nullptr,
                      [&](int64_t step, int64_t, double, double) {
                        const auto now = Clock::now();
                        const double interval = std::chrono::duration<double, std::milli>(now - last).count();
                        for (int64_t k = last_step; k < step; ++k) ms.push_back(interval / double(step - last_step));
                        last_step = step;
                        last = now;
                      });
  Timing ours = summarize(ms, a.batch);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double rss_mb = double(ru.ru_maxrss) / 1024.0;
  std::printf("  ours:    median %8.1f ms  mean %8.1f ms  (min %.1f, max %.1f)  %8.1f images/s  peak RSS %.0f MB\n",
              ours.median_ms, ours.mean_ms, ours.min_ms, ours.max_ms, ours.images_per_s, rss_mb);
  if (!a.peer) return;
  nlohmann::json j = run_peer(a, threads);
  const double pm = j["median_ms"], pmean = j["mean_ms"], pmin = j["min_ms"], pmax = j["max_ms"];
  const double pips = j["images_per_s"], prss = j["peak_rss_mb"];
  std::printf("  pytorch: median %8.1f ms  mean %8.1f ms  (min %.1f, max %.1f)  %8.1f images/s  peak RSS %.0f MB"
              "  (torch %s, channels_last, %d threads)\n",
              pm, pmean, pmin, pmax, pips, prss, j["torch"].get<std::string>().c_str(), j["threads"].get<int>());
  std::printf("  ratio ours/pytorch: %.2fx (median), %.2fx (mean)\n", ours.images_per_s / pips, pmean / ours.mean_ms);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "benchmarks, each next to a peer in the same run");
  bench->require_subcommand(1);
  auto a = std::make_shared<StepArgs>();
  // train-step and search-step take the same options and run the same peer; search-step in the
  // search's configuration (StepArgs::search).
  auto step_command = [&](const char* name, const char* what, bool search) {
    CLI::App* t = bench->add_subcommand(name, what);
    t->add_option("--model", a->model, "resnet18 | resnet20 | resnet32 | wrn-D-K")->capture_default_str();
    t->add_option("--data-shape", a->shape, "HxWxC of the synthetic images")->capture_default_str();
    t->add_option("--batch", a->batch)->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(1) << 16));
    t->add_option("--device", a->device, "cpu | cuda | cuda:N (GPU N; cuda = GPU 0)")->capture_default_str();
    t->add_option("--steps", a->steps, "timed steps")->capture_default_str()->check(CLI::Range(1, 1000000));
    t->add_option("--warmup", a->warmup, "untimed steps first")->capture_default_str()->check(CLI::Range(0, 1000000));
    t->add_option("--threads", a->threads, "cpu threads for both (0: all)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    add_math_option(t, a->math);
    add_cuda_graphs_flag(t, a->cuda_graphs);
    t->add_flag("--peer,!--no-peer", a->peer, "run the PyTorch peer (default on)");
    t->add_option("--peer-script", a->peer_script, "peer script (default: bench/train_step_peer.py of the source tree)");
    t->callback([a, search] {
      a->search = search;
      run_train_step(*a);
    });
  };
  step_command("train-step", "images/s of full train steps, ours next to PyTorch", false);
  step_command("search-step",
               "images/s of the search's own train step (pair-op augmentation, clip 3.0, label smoothing 0.05), "
               "ours next to PyTorch",
               true);
  add_bench_augment(*bench);
  add_bench_elements(*bench);
  add_bench_decode(*bench);
  add_bench_allreduce(*bench);
}

}  // namespace aws::cli
