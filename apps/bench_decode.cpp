// `aws bench decode`: images/s of the streamed ImageNet input path on the cpu, per core and on all
// threads (read header → RandomResizedCrop box → JPEG decode at a DCT scale, only the box's rows →
// Pillow-exact bilinear resize to 224 → flip), next to torchvision's ImageFolder + RandomResizedCrop +
// RandomHorizontalFlip (bench/decode_peer.py: one thread, and a DataLoader with as many workers) and
// next to libjpeg-turbo's own full-size decode rate (tjbench, Debian's libjpeg-turbo-progs) on the
// first file beside ours on the same file. Files are read into memory first (no disk in the figures).
// Without --data, the peer writes a synthetic folder of photo-like 500×375 JPEGs into a temporary
// folder. The GPU projection divides an assumed ResNet-50 step rate (--gpu-rate, not measured here)
// by our per-core rate.
#include <omp.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/peer_process.h"
#include "core/error.h"
#include "engine/data/image_folder.h"
#include "engine/data/random_resized_crop.h"
#include "engine/io/image_io.h"
#include "engine/io/read_file.h"

namespace aws::cli {

namespace {

struct DecodeArgs {
  std::string data, peer = "bench/decode_peer.py";
  int files = 256, size = 224, threads = 0, reps = 2;
  double gpu_rate = 3000;
  bool no_peer = false;
};

// The output of `cmd`; UserError when it cannot start or fails.
std::string run_text(const std::string& cmd) {
  std::string text;
  int status = 0;
  if (!run_capture(cmd, &text, &status)) throw UserError("cannot start: " + cmd);
  if (status != 0) throw UserError("failed: " + cmd);
  return text;
}

// Best-of-reps images/s of `one(i)` over every file, on `threads` threads.
template <class F>
double rate(int n, int reps, int threads, F&& one) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int i = 0; i < n; ++i) one(i, r);
    best = std::max(best, n / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void run_bench_decode(const DecodeArgs& a) {
  std::string root = a.data;
  std::string tmp;
  if (root.empty()) {
    tmp = (std::filesystem::temp_directory_path() / ("aws-bench-decode-" + std::to_string(::getpid()))).string();
    run_text("/usr/bin/python3 " + under_source_dir(a.peer) + " --make '" + tmp + "' --n " + std::to_string(a.files));
    root = tmp;
  }
  const FolderListing l = scan_image_folder(root);
  const int n = std::min<int>(a.files, int(l.files.size()));
  std::vector<std::vector<uint8_t>> bytes(static_cast<size_t>(n));
  std::vector<ImageHeader> hd(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    bytes[size_t(i)] = read_file_bytes(l.files[size_t(i)]);
    hd[size_t(i)] = read_image_header(bytes[size_t(i)].data(), bytes[size_t(i)].size(), l.files[size_t(i)]);
  }
  const int all = a.threads > 0 ? a.threads : omp_get_max_threads();
  auto crop = [&](int i, int r) {
    const RngKey key{1, 0, 0, 0, uint32_t(r), 0};
    const CropBox box = random_resized_crop_box(hd[size_t(i)].w, hd[size_t(i)].h, key, i);
    Image img = decode_crop(bytes[size_t(i)].data(), bytes[size_t(i)].size(), l.files[size_t(i)], hd[size_t(i)], box,
                            a.size, random_flip(key, i));
    if (img.c == 1) img = to_rgb(std::move(img));
  };
  auto full = [&](int i, int) { decode_image(bytes[size_t(i)].data(), bytes[size_t(i)].size(), l.files[size_t(i)]); };
  const double ours_one = rate(n, a.reps, 1, crop), ours_all = rate(n, a.reps, all, crop);
  const double ours_full = rate(n, a.reps, 1, full);
  std::printf("decode + RandomResizedCrop + flip to %d px, %d files of %s (first %dx%d)\n", a.size, n, root.c_str(),
              hd[0].w, hd[0].h);
  std::printf(
      "  ours: %8.1f images/s (1 thread)  %8.1f images/s (%d threads)  full-size decode alone %8.1f/s (1 thread)\n",
      ours_one, ours_all, all, ours_full);
  // libjpeg-turbo's own decoder on the first file, and ours on the same file.
  if (hd[0].format == ImageFormat::jpeg && std::system("command -v tjbench >/dev/null 2>&1") == 0) {
    const std::string t = run_text("tjbench '" + l.files[0] + "' -benchtime 1 -warmup 0 2>&1");
    const size_t at = t.find("Frame rate:");
    const double tj = at == std::string::npos ? 0 : std::atof(t.c_str() + at + 11);
    // The first file decoded about one second's worth of times (tjbench's own rate), best of reps.
    const double ours0 = rate(std::max(1, int(tj)), a.reps, 1, [&](int, int r) { full(0, r); });
    std::printf("  tjbench (libjpeg-turbo, full size, 1 thread) on %s: %.1f/s; ours on it: %.1f/s "
                "(%.0f%% of tjbench)\n", l.files[0].c_str(), tj, ours0, tj > 0 ? 100.0 * ours0 / tj : 0.0);
  } else {
    std::printf("  tjbench: not run (no JPEG, or no tjbench: Debian's libjpeg-turbo-progs)\n");
  }
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  double file_bytes = 0;
  for (const auto& b : bytes) file_bytes += double(b.size());
  std::printf("  peak resident memory of this process: %.1f MiB (the files in memory: %.1f MiB)\n",
              ru.ru_maxrss / 1024.0, file_bytes / 1048576.0);
  std::printf("  projection: at an assumed %.0f ResNet-50 images/s per GPU (--gpu-rate; not measured here), %.1f of "
              "these cores feed one GPU\n", a.gpu_rate, a.gpu_rate / ours_one);
  if (!a.no_peer) {
    const std::string t = run_text("/usr/bin/python3 " + under_source_dir(a.peer) + " --root '" + root + "' --n " +
                                   std::to_string(n) + " --workers " + std::to_string(all) + " --size " +
                                   std::to_string(a.size) + " --reps " + std::to_string(a.reps));
    const auto j = nlohmann::json::parse(t.substr(t.rfind('{')));
    const double one = j["one_thread"], many = j["dataloader"];
    std::printf(
        "  torchvision %s ImageFolder (PIL): %8.1f images/s (1 thread)  %8.1f images/s (DataLoader, %d workers)\n",
        j["torchvision"].get<std::string>().c_str(), one, many, all);
    std::printf("  ratio ours/torchvision: %.2fx per core, %.2fx on %d threads\n", ours_one / one, ours_all / many,
                all);
  }
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
}

}  // namespace

void add_bench_decode(CLI::App& bench) {
  auto a = std::make_shared<DecodeArgs>();
  auto* s = bench.add_subcommand("decode",
                                 "images/s of decode + RandomResizedCrop + flip next to torchvision and tjbench");
  s->add_option("--data", a->data, "an ImageFolder-layout folder (default: a synthetic one the peer writes)");
  s->add_option("--files", a->files, "files to use (default 256)")->check(CLI::Range(1, 1 << 20));
  s->add_option("--size", a->size, "output size (default 224)")->check(CLI::Range(8, 4096));
  s->add_option("--threads", a->threads, "threads for the multi-thread figure and peer workers (default: all)")
      ->check(CLI::Range(0, 1024));
  s->add_option("--reps", a->reps, "measurements; the best is reported (default 2)")->check(CLI::Range(1, 100));
  s->add_option("--gpu-rate", a->gpu_rate, "assumed GPU images/s for the projection (default 3000)")
      ->check(CLI::Range(1.0, 1e7));
  s->add_option("--peer", a->peer, "peer script (default bench/decode_peer.py, under $AWS_SOURCE_DIR if set)");
  s->add_flag("--no-peer", a->no_peer, "skip the torchvision peer");
  s->callback([a] { run_bench_decode(*a); });
}

}  // namespace aws::cli
