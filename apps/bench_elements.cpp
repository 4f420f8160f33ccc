// `aws bench elements`: microseconds per image of each of the 36 augmentation elements on the cpu
// (apply_element: the fast host route, bit-exact with Pillow), next to Pillow's own time for the same
// element (bench/elements_peer.py through Debian's /usr/bin/python3) in the same run, and the ratio.
// The per-kernel view behind `aws bench augment`'s and awsaug's images/s: where a policy's time goes.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/peer_process.h"
#include "augment/elements.h"
#include "core/error.h"

namespace aws::cli {

namespace {

struct ElementsArgs {
  int size = 224, channels = 3, reps = 5;
  std::string peer = "bench/elements_peer.py";
  bool no_peer = false;
};

void run_elements(const ElementsArgs& a) {
  const int h = a.size, w = a.size, c = a.channels;
  std::vector<uint8_t> src(size_t(h) * w * c), dst(src.size());
  std::mt19937_64 rng(0);
  for (uint8_t& v : src) v = uint8_t(rng() >> 56);
  const int n = std::max(1, 1000000 / (h * w));  // about a million pixels per measurement
  std::vector<double> ours(kNumElements);
  for (int e = 0; e < kNumElements; ++e) {
    apply_element(e, 1, src.data(), dst.data(), h, w, c);  // warm-up
    double best = 1e300;
    for (int r = 0; r < a.reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) apply_element(e, 1, src.data(), dst.data(), h, w, c);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / n * 1e6);
    }
    ours[size_t(e)] = best;
  }
  nlohmann::json peer;
  if (!a.no_peer) {
    const std::string script = under_source_dir(a.peer);
    const std::string cmd = "/usr/bin/python3 " + script + " --size " + std::to_string(a.size) + " --channels " +
                            std::to_string(c) + " --n " + std::to_string(n) + " --reps " + std::to_string(a.reps);
    std::string text;
    int status = 0;
    if (!run_capture(cmd, &text, &status)) throw UserError("--peer " + script + ": cannot start /usr/bin/python3");
    if (status != 0 || text.find('{') == std::string::npos)
      throw UserError("--peer " + script + ": the Pillow peer failed (needs Debian's python3-pil and python3-numpy)");
    peer = nlohmann::json::parse(text.substr(text.find('{')));  // one JSON line
  }
  std::printf("elements on one %dx%dx%d image, sign +1, one thread, best of %d x %d (us per image)\n", h, w, c,
              a.reps, n);
  std::printf("  %-22s %10s %10s %8s\n", "element", "ours", peer.empty() ? "" : "Pillow", peer.empty() ? "" : "ratio");
  double sum_ours = 0, sum_peer = 0;
  for (int e = 0; e < kNumElements; ++e) {
    const char* name = element_info(e).name;
    sum_ours += ours[size_t(e)];
    if (peer.empty()) {
      std::printf("  %-22s %10.1f\n", name, ours[size_t(e)]);
      continue;
    }
    const double p = peer["us"].at(name).get<double>();
    sum_peer += p;
    std::printf("  %-22s %10.1f %10.1f %7.1fx\n", name, ours[size_t(e)], p, p / ours[size_t(e)]);
  }
  std::printf("  %-22s %10.1f", "mean (uniform element)", sum_ours / kNumElements);
  if (!peer.empty())
    std::printf(" %10.1f %7.1fx  (Pillow %s)", sum_peer / kNumElements, sum_peer / sum_ours,
                peer["pillow"].get<std::string>().c_str());
  std::printf("\n");
}

}  // namespace

void add_bench_elements(CLI::App& bench) {
  auto a = std::make_shared<ElementsArgs>();
  auto* s = bench.add_subcommand("elements", "us per image of each augmentation element on the cpu next to Pillow's");
  s->add_option("--size", a->size, "image side in pixels (default 224)")->check(CLI::Range(3, 4096));
  s->add_option("--channels", a->channels, "1 or 3 (default 3)")->check(CLI::IsMember({1, 3}));
  s->add_option("--reps", a->reps, "measurements; the best is reported (default 5)")->check(CLI::Range(1, 1000));
  s->add_option("--peer", a->peer, "peer script (default bench/elements_peer.py, under $AWS_SOURCE_DIR if set)");
  s->add_flag("--no-peer", a->no_peer, "skip the Pillow peer");
  s->callback([a] { run_elements(*a); });
}

}  // namespace aws::cli
