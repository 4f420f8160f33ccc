// `aws bench augment`: images/s of the fused cpu augmentation pass (crop, flip, pair-op, cutout,
// normalize) on CIFAR-size RGB and Fashion-MNIST-size gray batches, then the torchvision peer
// (bench/augment_peer.py through Debian's /usr/bin/python3) in the same run, and the ratios.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/peer_process.h"
#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "core/error.h"

namespace aws::cli {

namespace {

struct BenchArgs {
  int images = 8192, batch = 256, reps = 3, threads = 0, peer_n = 1000;
  std::string policy = "uniform", peer = "bench/augment_peer.py";
  bool no_peer = false;
};

// Best-of-reps images/s of the fused pass over `images` synthetic images of h×w×c in batches.
double measure(const BenchArgs& a, int h, int w, int c, int threads) {
  const int pool = 4096;
  std::vector<uint8_t> px(size_t(pool) * h * w * c);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(rng() >> 56);
  Ctx ctx(Device::cpu, threads);
  Normalization nm;
  AugmentPlan plan = make_augment_plan(load_policy(a.policy), h, w, c, nm);
  std::vector<float> out(size_t(a.batch) * h * w * c);
  std::vector<int32_t> idx(size_t(a.batch));
  Tensor src(px.data(), Shape{pool, h, w, c}, DType::u8);
  Tensor dst(out.data(), Shape{a.batch, h, w, c}, DType::f32);
  Tensor idx_t(idx.data(), Shape{a.batch}, DType::i32);
  double best = 0;
  for (int r = 0; r <= a.reps; ++r) {  // rep 0 warms up (first-touch, scratch)
    auto t0 = std::chrono::steady_clock::now();
    int done = 0;
    for (int b = 0; done < a.images; ++b, done += a.batch) {
      for (int k = 0; k < a.batch; ++k) idx[size_t(k)] = int32_t((done + k) % pool);
      augment_batch(ctx, plan,
                    {.images = src, .indices = idx_t, .key = RngKey{7, 1, 0, 0, uint32_t(r), 0}, .out = dst});
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) best = std::max(best, done / s);
  }
  return best;
}

void run_bench(const BenchArgs& a) {
  if (a.images < 1 || a.batch < 1 || a.reps < 1) throw UserError("--images, --batch and --reps must be positive");
  const int all = a.threads > 0 ? a.threads : omp_get_max_threads();
  std::printf("fused cpu augmentation pass, policy %s, batch %d, %d images per measurement (best of %d)\n",
              a.policy.c_str(), a.batch, a.images, a.reps);
  struct Row { const char* tag; int h, w, c; double one, many; };
  Row rows[2] = {{"rgb32", 32, 32, 3, 0, 0}, {"gray28", 28, 28, 1, 0, 0}};
  for (auto& r : rows) {
    r.one = measure(a, r.h, r.w, r.c, 1);
    r.many = measure(a, r.h, r.w, r.c, all);
    std::printf("  %-7s ours: %10.0f images/s (1 thread)  %10.0f images/s (%d threads)  %.3f ms per 128 images\n",
                r.tag, r.one, r.many, all, 128e3 / r.many);
  }
  if (a.no_peer) return;
  const std::string script = under_source_dir(a.peer);
  const std::string cmd = "/usr/bin/python3 " + script + " --n " + std::to_string(a.peer_n) + " --reps " + std::to_string(a.reps);
  std::string text;
  int status = 0;
  if (!run_capture(cmd, &text, &status)) throw UserError("--peer " + script + ": cannot start /usr/bin/python3");
  if (status != 0 || text.empty())
    throw UserError("--peer " + script + ": the torchvision peer failed (needs Debian's python3-torchvision)");
  auto j = nlohmann::json::parse(text.substr(text.rfind('{')));
  std::printf("torchvision %s AutoAugment (CIFAR-10 policy), one thread:\n", j["torchvision"].get<std::string>().c_str());
  for (auto& r : rows) {
    const std::string t = r.tag;
    double pil = j[t + "_pil_autoaugment"], ten = j[t + "_tensor_autoaugment"], full = j[t + "_pil_full_pipeline"];
    std::printf("  %-7s PIL %8.0f/s  uint8 tensor %8.0f/s  PIL full pipeline %8.0f/s\n", r.tag, pil, ten, full);
    std::printf("  %-7s ratio ours/PIL: %.1fx (1 thread), %.1fx (%d threads); ours/tensor: %.1fx (1 thread); "
                "ours/full PIL pipeline: %.1fx (1 thread)\n",
                r.tag, r.one / pil, r.many / pil, all, r.one / ten, r.one / full);
  }
}

}  // namespace

void add_bench_augment(CLI::App& bench) {
  auto a = std::make_shared<BenchArgs>();
  auto* s = bench.add_subcommand("augment", "images/s of the fused cpu augmentation pass next to torchvision AutoAugment");
  s->add_option("--images", a->images, "images per measurement (default 8192)")->check(CLI::Range(1, 1 << 24));
  s->add_option("--batch", a->batch, "batch size (default 256)")->check(CLI::Range(1, 1 << 16));
  s->add_option("--reps", a->reps, "measurements; the best is reported (default 3)")->check(CLI::Range(1, 1000));
  s->add_option("--threads", a->threads, "threads for the multi-thread figure (default: all)")->check(CLI::Range(0, 1024));
  s->add_option("--policy", a->policy, "policy name or file (default uniform)");
  s->add_option("--peer", a->peer, "peer script (default bench/augment_peer.py, under $AWS_SOURCE_DIR if set)");
  s->add_option("--peer-images", a->peer_n, "images per peer measurement (default 1000)")->check(CLI::Range(1, 1 << 24));
  s->add_flag("--no-peer", a->no_peer, "skip the torchvision peer");
  s->callback([a] { run_bench(*a); });
}

}  // namespace aws::cli
