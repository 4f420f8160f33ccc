// Search configuration: presets, validation (messages name the CLI flag), JSON round trip, the
// semantic digest and the field-by-field diff used to refuse a run directory made by another config.
#include "search/search_config.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>

#include <xxhash.h>

#include "engine/runtime/build_info.h"
#include "core/error.h"
#include "core/strprintf.h"
#include "search/ppo.h"
#include "search/search_mode.h"

namespace aws {

using nlohmann::json;

Proxy parse_proxy(const std::string& s) {
  if (s == "af") return Proxy::af;
  if (s == "nf") return Proxy::nf;
  if (s == "it") return Proxy::it;
  if (s == "av") return Proxy::av;
  throw UserError("--proxy " + s + ": unknown proxy (af | nf | it | av)");
}

const char* proxy_name(Proxy p) {
  switch (p) {
    case Proxy::af: return "af";
    case Proxy::nf: return "nf";
    case Proxy::it: return "it";
    case Proxy::av: return "av";
  }
  return "?";
}

std::vector<std::string> search_preset_names() {
  return {"demo", "paper", "paper-cifar10-resnet18", "paper-imagenet-resnet50"};
}

SearchConfig search_preset(const std::string& name) {
  SearchConfig c;
  c.preset = name;
  if (name == "paper") return c;  // the defaults are SPEC §5–7 at full size
  if (name == "paper-cifar10-resnet18") {  // the paper's CIFAR-10 search (SPEC §5–7, §12): 40k / 10k
    c.data = "cifar10";
    c.model = "resnet18";
    return c;
  }
  if (name == "paper-imagenet-resnet50") {  // the paper's §5 ImageNet search; "other hyper-parameters" as CIFAR's
    c.data = "";                            // ImageNet cannot ship: the user's folder (search_config_missing)
    c.model = "resnet50";
    c.stage1_epochs = 150;
    c.finetune_epochs = 5;
    c.policy_lr = 0.2;
    return c;
  }
  if (name == "demo") {
    // Measured on the 2-core development machine: see docs/SEARCH.md.
    c.val = 2000;
    c.subset = 8000;
    c.stage1_epochs = 8;
    c.batch = 128;
    c.t_max = 24;
    c.finetune_epochs = 1;
    return c;
  }
  throw UserError("--preset " + name + ": unknown preset (" + join(search_preset_names(), " | ") + ")");
}

static void need(bool ok, const std::string& msg) {
  if (!ok) throw UserError(msg);
}

// A finite number in [lo, hi] (hi may be infinity: finite is still required), for the flag `flag`.
static void need_in(double v, double lo, double hi, const std::string& flag) {
  if (std::isfinite(v) && v >= lo && v <= hi) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s: %g is not a finite number in [%g, %g]", flag.c_str(), v, lo, hi);
  throw UserError(buf);
}

void SearchConfig::validate() const {
  need(!data.empty(), "--data: --preset " + preset + " names no dataset; give one, e.g. --data folder,stream:DIR "
       "(DIR holding train/ and val/ class folders, as ImageNet's)");
  const Proxy p = parse_proxy(proxy);
  constexpr double big = 1e6;  // a learning rate or decay beyond this is a typo, not a recipe
  need_in(lr, 0, big, "--lr");
  need_in(finetune_lr, 0, big, "--finetune-lr");
  need_in(warmup_from, 0, big, "--warmup-from");
  need_in(warmup_epochs, 0, 1e6, "--warmup-epochs");
  need_in(lr_floor, 0, big, "--lr-floor");
  need_in(momentum, 0, 1, "--momentum");
  need_in(weight_decay, 0, big, "--wd");
  need_in(label_smoothing, 0, 1, "--label-smoothing");
  need_in(clip, 0, 1e30, "--clip");
  need_in(bn_momentum, 0, 1, "--bn-momentum");
  need(t_max <= 1000000, "--t-max must be <= 1000000 (got " + std::to_string(t_max) + ")");
  need(stage1_epochs <= 1000000, "--stage1-epochs must be <= 1000000 (got " + std::to_string(stage1_epochs) + ")");
  need(finetune_epochs <= 1000000, "--finetune-epochs must be <= 1000000 (got " + std::to_string(finetune_epochs) + ")");
  need(val <= (int64_t(1) << 31), "--val must be <= 2^31 (got " + std::to_string(val) + ")");
  need(subset <= (int64_t(1) << 31), "--subset must be <= 2^31 (got " + std::to_string(subset) + ")");
  need(batch <= (int64_t(1) << 20), "--batch must be <= 2^20 (got " + std::to_string(batch) + ")");
  need(threads <= 1024, "--threads must be <= 1024 (got " + std::to_string(threads) + ")");
  need(t_max > 0, "--t-max must be > 0 (got " + std::to_string(t_max) + ")");
  need(k > 0, "--k must be > 0 (got " + std::to_string(k) + ")");
  need(k <= 64, "--k must be <= 64 (got " + std::to_string(k) + ")");
  need(val > 0, "--val must be > 0 (got " + std::to_string(val) + ")");
  need(subset >= 0, "--subset must be >= 0 (got " + std::to_string(subset) + ")");
  need(batch > 0, "--batch must be > 0 (got " + std::to_string(batch) + ")");
  need(p == Proxy::it || stage1_epochs > 0, "--stage1-epochs must be > 0 (got " + std::to_string(stage1_epochs) + ")");
  need(p == Proxy::av || finetune_epochs > 0,
       "--finetune-epochs must be > 0 (got " + std::to_string(finetune_epochs) + ")");
  need(lr > 0 && warmup_from >= 0 && lr_floor >= 0 && lr_floor <= lr, "--lr: need lr > 0 and 0 <= floor <= lr");
  need(warmup_epochs >= 0, "--warmup-epochs must be >= 0");
  need(finetune_lr > 0, "--finetune-lr must be > 0");
  need(policy_lr > 0, "--policy-lr must be > 0");
  need(stage1_ranks >= 1, "stage1_ranks must be >= 1");
  need(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1)");
  need(weight_decay >= 0, "--wd must be >= 0");
  need(label_smoothing >= 0 && label_smoothing < 1, "--label-smoothing must be in [0, 1)");
  need(clip >= 0, "--clip must be >= 0");
  need(bn_momentum >= 0 && bn_momentum <= 1, "--bn-momentum must be in [0, 1]");
  need(threads >= 0, "--threads must be >= 0");
  const bool cuda = device_spec().is_cuda();  // UserError naming --device
  need(math == "strict" || math == "tf32" || math == "bf16", "--math " + math + ": expected strict, tf32 or bf16");
  need(cuda || math == "strict", "--math " + math + " needs --device cuda");
  need(cuda || !cuda_graphs, "--cuda-graphs: CUDA graphs need --device cuda");
  parse_search_mode(mode);              // UserError naming --mode
  parse_parameterization(controller);   // UserError naming --controller
  parse_plant(plant);                   // UserError naming --plant
  need(sparse_pairs >= 1 && sparse_pairs <= 1296, "--sparse-pairs must be in [1, 1296] (got " +
       std::to_string(sparse_pairs) + ")");
}

json SearchConfig::semantic_json() const {
  json j{{"data", data},
         {"model", model},
         {"preset", preset},
         {"proxy", proxy},
         {"device", device_name(backend())},  // which GPU is not the run's identity
         {"seed", seed},
         {"val", val},
         {"subset", subset},
         {"stage1_epochs", stage1_epochs},
         {"batch", batch},
         {"lr", lr},
         {"warmup_from", warmup_from},
         {"warmup_epochs", warmup_epochs},
         {"lr_floor", lr_floor},
         {"momentum", momentum},
         {"weight_decay", weight_decay},
         {"label_smoothing", label_smoothing},
         {"clip", clip},
         {"bn_momentum", bn_momentum},
         {"t_max", t_max},
         {"k", k},
         {"finetune_epochs", finetune_epochs},
         {"finetune_lr", finetune_lr}};
  // "math" only when it is not "strict", the meaning of every version-1 run: their digests (stored in
  // ω_share and the controller state, compared on resume) stay what they were.
  if (math != "strict") j["math"] = math;
  // "data_seed" only when it differs from "seed": runs before version 3 drew their split from the seed
  // (they read back with data_seed = seed), and their digests stay what they were.
  if (data_seed != seed) j["data_seed"] = data_seed;
  // Likewise the ways of learning, only when they are not the paper's (config_diff knows the defaults).
  if (mode != "paper") j["mode"] = mode;
  if (mode == "sparse") j["sparse_pairs"] = sparse_pairs;
  if (controller != "flat") j["controller"] = controller;
  if (!plant.empty()) j["plant"] = plant;
  if (policy_lr != 0.1) j["policy_lr"] = policy_lr;
  if (stage1_ranks != 1) j["stage1_ranks"] = stage1_ranks;
  return j;
}

json SearchConfig::to_json() const {
  json j = semantic_json();
  j["format"] = kSearchConfigFormat;
  j["version"] = kSearchConfigVersion;
  j["data_dir"] = data_dir;
  j["threads"] = threads;
  j["data_fingerprint"] = data_fingerprint;
  j["build"] = build_info_json();  // not read back: which binary wrote the file, for people
  j["data_seed"] = data_seed;  // always written, whatever semantic_json leaves out
  j["mode"] = mode;
  j["sparse_pairs"] = sparse_pairs;
  j["controller"] = controller;
  j["plant"] = plant;
  j["policy_lr"] = policy_lr;
  j["stage1_ranks"] = stage1_ranks;
  j["math"] = math;  // always written, whatever semantic_json leaves out
  j["cuda_graphs"] = cuda_graphs;
  return j;
}

// Strict field reader: the JSON type must be T's (an integer field holds an integer that fits T, a
// floating field a finite number), so nothing is converted silently.
template <class T>
static void take(const json& j, const char* key, T& out, const std::string& file) {
  if (!j.contains(key)) throw UserError(file + ": missing field \"" + key + "\"");
  const json& v = j.at(key);
  auto bad = [&](const char* why) {
    return UserError(file + ": field \"" + key + "\" " + why + " (" + v.dump() + ")");
  };
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!v.is_number_integer()) throw bad("is not an integer");
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > uint64_t(std::numeric_limits<T>::max())) throw bad("is out of range");
    } else {
      const int64_t i = v.get<int64_t>();
      if (i < int64_t(std::numeric_limits<T>::min()) ||
          (i > 0 && uint64_t(i) > uint64_t(std::numeric_limits<T>::max())))
        throw bad("is out of range");
    }
    out = v.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw bad("is not a number");
    out = v.get<T>();
    if (!std::isfinite(out)) throw bad("is not finite");
  } else {
    try {
      out = v.get<T>();
    } catch (const json::exception&) {
      throw bad("has the wrong type");
    }
  }
}

SearchConfig SearchConfig::from_json(const json& j, const std::string& file) {
  if (!j.is_object()) throw UserError(file + ": not a JSON object");
  std::string format;
  int version = 0;
  take(j, "format", format, file);
  take(j, "version", version, file);
  if (format != kSearchConfigFormat) throw UserError(file + ": format \"" + format + "\", expected \"" + kSearchConfigFormat + "\"");
  if (version < 1 || version > kSearchConfigVersion)
    throw UserError(file + ": version " + std::to_string(version) + ", this build reads versions 1 to " +
                    std::to_string(kSearchConfigVersion));
  SearchConfig c;
  take(j, "data", c.data, file);
  take(j, "data_dir", c.data_dir, file);
  take(j, "model", c.model, file);
  take(j, "preset", c.preset, file);
  take(j, "proxy", c.proxy, file);
  take(j, "device", c.device, file);
  try {
    parse_device(c.device);
  } catch (const UserError&) {
    throw UserError(file + ": field \"device\" is not cpu, cuda or cuda:N (" + json(c.device).dump() + ")");
  }
  take(j, "seed", c.seed, file);
  c.data_seed = c.seed;  // versions 1 and 2: the split came from the seed
  if (version >= 3) take(j, "data_seed", c.data_seed, file);
  take(j, "threads", c.threads, file);
  if (version >= 3) take(j, "data_fingerprint", c.data_fingerprint, file);
  if (version >= 2) {
    take(j, "math", c.math, file);
    take(j, "cuda_graphs", c.cuda_graphs, file);
  }
  take(j, "val", c.val, file);
  take(j, "subset", c.subset, file);
  take(j, "stage1_epochs", c.stage1_epochs, file);
  take(j, "batch", c.batch, file);
  take(j, "lr", c.lr, file);
  take(j, "warmup_from", c.warmup_from, file);
  take(j, "warmup_epochs", c.warmup_epochs, file);
  take(j, "lr_floor", c.lr_floor, file);
  take(j, "momentum", c.momentum, file);
  take(j, "weight_decay", c.weight_decay, file);
  take(j, "label_smoothing", c.label_smoothing, file);
  take(j, "clip", c.clip, file);
  take(j, "bn_momentum", c.bn_momentum, file);
  take(j, "t_max", c.t_max, file);
  take(j, "k", c.k, file);
  take(j, "finetune_epochs", c.finetune_epochs, file);
  take(j, "finetune_lr", c.finetune_lr, file);
  if (version >= 3) {
    take(j, "mode", c.mode, file);
    take(j, "sparse_pairs", c.sparse_pairs, file);
    take(j, "controller", c.controller, file);
    take(j, "plant", c.plant, file);
  }
  if (version >= 4) {
    take(j, "policy_lr", c.policy_lr, file);
    take(j, "stage1_ranks", c.stage1_ranks, file);
  }
  return c;
}

std::string SearchConfig::digest() const {
  const std::string s = semantic_json().dump();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)XXH3_64bits(s.data(), s.size()));
  return buf;
}

std::vector<std::string> config_diff(const SearchConfig& stored, const SearchConfig& wanted) {
  const json a = stored.semantic_json(), b = wanted.semantic_json();
  std::vector<std::string> out;
  // A field semantic_json leaves out has its default: math "strict", data_seed the run's seed, mode
  // "paper", controller "flat", plant "", policy_lr 0.1, stage1_ranks 1 (sparse_pairs only exists in
  // sparse mode).
  auto value = [](const json& j, const std::string& key) {
    if (j.contains(key)) return j.at(key);
    if (key == "math") return json("strict");
    if (key == "data_seed") return j.at("seed");
    if (key == "mode") return json("paper");
    if (key == "controller") return json("flat");
    if (key == "plant") return json("");
    if (key == "policy_lr") return json(0.1);
    if (key == "stage1_ranks") return json(1);
    return json();
  };
  json keys = a;
  keys.update(b);
  for (auto it = keys.begin(); it != keys.end(); ++it) {
    const json x = value(a, it.key()), y = value(b, it.key());
    if (x != y) out.push_back(it.key() + ": " + x.dump() + " -> " + y.dump());
  }
  return out;
}

std::vector<std::string> resume_mismatch(const SearchConfig& stored, const SearchConfig& wanted) {
  std::vector<std::string> out;
  if (!stored.data_fingerprint.empty() && stored.data_fingerprint != wanted.data_fingerprint)
    out.push_back("the training data differ from the run's (fingerprint " + stored.data_fingerprint + ", now " +
                  wanted.data_fingerprint + "): another --data-dir or changed files; results would not resume");
  if (wanted.backend() == Device::cpu && stored.threads > 0 && stored.threads != wanted.threads)
    out.push_back("--threads: the run used " + std::to_string(stored.threads) + " cpu threads, this one " +
                  std::to_string(wanted.threads) + " (oneDNN's reductions depend on the count, so results would "
                  "change; use --threads " + std::to_string(stored.threads) + ")");
  return out;
}

uint64_t parse_seed(const std::string& text, const std::string& flag) {
  const std::string range = " (a seed is an integer from 0 to 18446744073709551615, i.e. 2^64-1)";
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    throw UserError(flag + " " + text + ": not a seed" + range);
  uint64_t v = 0;
  for (char ch : text) {
    const uint64_t d = uint64_t(ch - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) throw UserError(flag + " " + text + ": too large" + range);
    v = v * 10 + d;
  }
  return v;
}

}  // namespace aws
