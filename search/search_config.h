// The resolved configuration of one search (SPEC.md §5–10): dataset, model, proxy, presets and every
// number of the stage-1 recipe and the stage-2 loop. It is stored as config.json in the run
// directory; a run directory only resumes under the same *semantic* fields (config_diff), and the
// digest of those fields goes into the exported policy's "source".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/device.h"

namespace aws {

enum class Proxy { af, nf, it, av };  // SPEC §10
Proxy parse_proxy(const std::string& s);   // UserError naming --proxy
const char* proxy_name(Proxy p);

struct SearchConfig {
  // What is searched.
  std::string data = "fashion-mnist";
  std::string data_dir;            // not semantic (the same data may move)
  std::string model = "resnet20";
  std::string preset = "demo";
  std::string proxy = "af";
  std::string device = "cpu";
  std::string math = "strict";     // resolved --math (models/precision.h): strict | tf32 | bf16 (cuda); strict on cpu
  uint64_t seed = 0;                // initialization, augmentation draws, the controller
  uint64_t data_seed = 0;           // the D_tr / D_val split and the subset (engine/data/split.h)
  // cpu: the resolved thread count (0 = all cores is resolved to the number before the run directory
  // is written). Not in the digest, but a cpu run directory resumes only at the same count: oneDNN's
  // reductions depend on it (docs/ENGINE.md). Ignored on cuda.
  int threads = 0;
  // XXH3-64 of the official training set's labels and pixels (data_fingerprint in search_driver.h):
  // not in the digest (--data-dir stays non-semantic), but a resume on other data is refused. Empty
  // when read from a version-1/2 file: recorded on its first resume.
  std::string data_fingerprint;
  bool cuda_graphs = false;        // not semantic: graph replay runs the eager step's kernels in order

  // Splits (SPEC §5): D_val of `val` images, D_tr = the rest, or a stratified subset of `subset` of it.
  int64_t val = 10000;
  int64_t subset = 0;              // 0: all of D_tr

  // Stage 1 (SPEC §6).
  int stage1_epochs = 200;
  int64_t batch = 256;
  double lr = 0.2, warmup_from = 0.05, warmup_epochs = 1.0, lr_floor = 0.001;
  double momentum = 0.9, weight_decay = 1e-4, label_smoothing = 0.05, clip = 3.0, bn_momentum = 0.5;

  // Stage 2 (SPEC §7).
  int t_max = 500;
  int k = 1;
  int finetune_epochs = 10;
  double finetune_lr = 0.001;
  double policy_lr = 0.1;          // the controller's Adam LR after its warm-up (SPEC §8; 0.2 on ImageNet)
  // The world size W stage 1 ran at (search/search_ranks.h): its arithmetic depends on W (per-rank BN
  // batch statistics, the reduction order), stage 2's does not. Set by the session, not a flag.
  int stage1_ranks = 1;

  // How the search learns (search/search_mode.h, search/ppo.h): the paper's mode and flat θ by default.
  std::string mode = "paper";      // paper | sparse (a departure from the paper, named as such)
  int sparse_pairs = 8;            // sparse: pairs M each trajectory draws from p_θ
  std::string controller = "flat"; // flat (the paper's text) | factored (the authors' code)
  std::string plant;               // planted-signal instrument "ELEMENT:COST" ("" = none)

  // UserError naming the flag of the first invalid field (every number finite and in range).
  void validate() const;
  // `device` parsed (core/device.h): the backend, and the GPU's index (not part of the run's identity).
  DeviceSpec device_spec() const { return parse_device(device); }
  Device backend() const { return device_spec().kind; }
  // Every field, including the non-semantic ones, with "format"/"version".
  nlohmann::json to_json() const;
  // Strict: unknown format/version or a missing/ill-typed field → UserError naming `file` and the field.
  static SearchConfig from_json(const nlohmann::json& j, const std::string& file);
  // Only the fields that change what is computed (no data_dir, threads).
  nlohmann::json semantic_json() const;
  // 16 hex digits of XXH3-64 over semantic_json().dump().
  std::string digest() const;
};

constexpr const char* kSearchConfigFormat = "aws-search-config";
// Version 2 added "math" and "cuda_graphs"; a version-1 file reads as math "strict" (what every
// version-1 run computed, on either backend) without graphs.
// Version 3 added "data_seed" (a version-1/2 file reads with data_seed = seed, what those runs drew),
// "mode", "sparse_pairs", "controller", "plant" (older files: paper, flat, none),
// "data_fingerprint" (read as empty from older files) and made "threads" the resolved count on cpu.
// Version 4 added "policy_lr" and "stage1_ranks" (older files: 0.1 and 1, the only values they could run).
constexpr int kSearchConfigVersion = 4;

// Named presets (SPEC §11): "demo" (Fashion-MNIST, ≤ 10 min on 2 cores), "paper" (the paper's
// epochs: 200 stage-1, 10 fine-tune, T_max 500, batch 256, a 10k D_val; Fashion-MNIST and ResNet-20
// unless --data/--model say otherwise), "paper-cifar10-resnet18" ("paper" on CIFAR-10 with
// ResNet-18, the paper's main setting; scripts/reproduce-cifar10) and "paper-imagenet-resnet50" (the
// paper's ImageNet search: ResNet-50, stage 1 150 epochs, fine-tunes of 5, policy LR 0.2; the data is
// the user's --data folder,stream:DIR). UserError naming --preset for another name.
SearchConfig search_preset(const std::string& name);
std::vector<std::string> search_preset_names();

// "field: old -> new" for every semantic field that differs (empty when the two can share a run).
std::vector<std::string> config_diff(const SearchConfig& stored, const SearchConfig& wanted);

// What else a resume needs besides config_diff: the same training data (fingerprint) and, on the cpu,
// the same thread count. Empty when `stored` can resume as `wanted`; an unknown stored value (0
// threads, empty fingerprint: an older run directory) is no reason to refuse (the caller records it).
std::vector<std::string> resume_mismatch(const SearchConfig& stored, const SearchConfig& wanted);

// A seed flag's value: decimal digits for 0 .. 2^64-1, nothing else (no sign, no wrap-around).
// UserError naming `flag` otherwise.
uint64_t parse_seed(const std::string& text, const std::string& flag);

}  // namespace aws
