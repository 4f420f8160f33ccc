// Controller state as bytes (little-endian, the host order of every machine we build for):
//   "AWSPPOC\0", u32 version, the config, u64 updates, Adam (i64 t, m[n], v[n]),
//   per slot (u8 set, f64 baseline), u8 has_best, f64 best reward, i64 best update, best θ[n], θ[n],
//   u64 XXH3-64 of every byte before it; n = ppo_theta_size(parameterization, pairs).
// Version 2 ends the config with u8 parameterization (0 flat, 1 factored, 2 product) and u8 baseline
// kind (0 EMA per slot, 1 leave-one-out loop mean); version 1 (written before
// the factored controller existed) has no such byte and reads as flat, so old runs resume unchanged.
// Doubles are stored as their bit patterns, so a round trip is exact.
#include <bit>
#include <cmath>
#include <cstring>
#include <xxhash.h>

#include "core/error.h"
#include "search/controller.h"

namespace aws {

static_assert(std::endian::native == std::endian::little, "controller state is stored little-endian");

namespace {

constexpr char kMagic[8] = {'A', 'W', 'S', 'P', 'P', 'O', 'C', '\0'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kOldestVersion = 1;  // flat only

struct Writer {
  std::vector<uint8_t> out;
  template <class T> void put(const T& v) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), b, b + sizeof(T));
  }
  void put_doubles(const std::vector<double>& v) {
    const auto* b = reinterpret_cast<const uint8_t*>(v.data());
    out.insert(out.end(), b, b + v.size() * sizeof(double));
  }
};

struct Reader {
  const std::vector<uint8_t>& in;
  size_t pos;
  const std::string& source;
  template <class T> T get(const char* field) {
    need(sizeof(T), field);
    T v;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  void get_doubles(std::vector<double>& v, size_t n, const char* field) {
    need(n * sizeof(double), field);
    v.resize(n);
    std::memcpy(v.data(), in.data() + pos, n * sizeof(double));
    pos += n * sizeof(double);
  }
  void need(size_t bytes, const char* field) {
    if (in.size() - 8 - pos < bytes) throw UserError(source + ": truncated at " + field);
  }
};

}  // namespace

std::vector<uint8_t> Controller::serialize() const {
  Writer w;
  w.out.insert(w.out.end(), kMagic, kMagic + 8);
  w.put(kVersion);
  w.put(int32_t(cfg_.pairs));
  w.put(int32_t(cfg_.slots));
  w.put(cfg_.clip);
  w.put(int32_t(cfg_.max_steps));
  w.put(cfg_.kl_stop);
  w.put(cfg_.beta1);
  w.put(cfg_.beta2);
  w.put(cfg_.eps);
  w.put(cfg_.lr_max);
  w.put(int32_t(cfg_.lr_warmup_updates));
  w.put(cfg_.baseline_weight);
  w.put(cfg_.advantage_scale);
  w.put(uint8_t(cfg_.parameterization));  // 0 flat, 1 factored, 2 product
  w.put(uint8_t(cfg_.baseline));          // 0 ema, 1 leave-one-out
  w.put(int64_t(updates_));
  w.put(int64_t(adam_.t));
  w.put_doubles(adam_.m);
  w.put_doubles(adam_.v);
  for (int s = 0; s < cfg_.slots; ++s) {
    w.put(uint8_t(baseline_set_[s]));
    w.put(baseline_[s]);
  }
  w.put(uint8_t(has_best_));
  w.put(best_reward_);
  w.put(int64_t(best_update_));
  if (has_best_) w.put_doubles(best_theta_);
  w.put_doubles(theta_);
  w.put(uint64_t(XXH3_64bits(w.out.data(), w.out.size())));
  return std::move(w.out);
}

Controller Controller::deserialize(const std::vector<uint8_t>& in, const std::string& source) {
  if (in.size() < 8 + 4 + 8 || std::memcmp(in.data(), kMagic, 8) != 0)
    throw UserError(source + ": not a controller state (bad magic)");
  uint64_t sum;
  std::memcpy(&sum, in.data() + in.size() - 8, 8);
  if (sum != XXH3_64bits(in.data(), in.size() - 8))
    throw UserError(source + ": checksum mismatch (the file is corrupt or truncated)");
  Reader r{in, 8, source};
  const uint32_t version = r.get<uint32_t>("version");
  if (version < kOldestVersion || version > kVersion)
    throw UserError(source + ": controller state version " + std::to_string(version) + ", this build reads " +
                    std::to_string(kOldestVersion) + " to " + std::to_string(kVersion));
  PpoConfig cfg;
  cfg.pairs = r.get<int32_t>("pairs");
  cfg.slots = r.get<int32_t>("slots");
  cfg.clip = r.get<double>("clip");
  cfg.max_steps = r.get<int32_t>("max_steps");
  cfg.kl_stop = r.get<double>("kl_stop");
  cfg.beta1 = r.get<double>("beta1");
  cfg.beta2 = r.get<double>("beta2");
  cfg.eps = r.get<double>("eps");
  cfg.lr_max = r.get<double>("lr_max");
  cfg.lr_warmup_updates = r.get<int32_t>("lr_warmup_updates");
  cfg.baseline_weight = r.get<double>("baseline_weight");
  cfg.advantage_scale = r.get<double>("advantage_scale");
  if (version >= 2) {
    const uint8_t pz = r.get<uint8_t>("parameterization");
    if (pz > 2) throw UserError(source + ": unknown parameterization " + std::to_string(pz));
    cfg.parameterization = Parameterization(pz);
    const uint8_t bk = r.get<uint8_t>("baseline");
    if (bk > 1) throw UserError(source + ": unknown baseline kind " + std::to_string(bk));
    cfg.baseline = BaselineKind(bk);
  }
  try {
    cfg.validate();
  } catch (const UserError& e) {
    throw UserError(source + ": " + e.what());
  }
  const size_t tn = size_t(ppo_theta_size(cfg.parameterization, cfg.pairs));
  if (uint64_t(tn) * 8 > in.size() || uint64_t(cfg.slots) * 9 > in.size())
    throw UserError(source + ": sizes larger than the file");
  Controller c(cfg);
  c.updates_ = r.get<int64_t>("updates");
  c.adam_.t = r.get<int64_t>("adam step");
  r.get_doubles(c.adam_.m, tn, "adam m");
  r.get_doubles(c.adam_.v, tn, "adam v");
  for (int s = 0; s < cfg.slots; ++s) {
    c.baseline_set_[s] = r.get<uint8_t>("baseline flag");
    c.baseline_[s] = r.get<double>("baseline");
  }
  c.has_best_ = r.get<uint8_t>("best flag") != 0;
  c.best_reward_ = r.get<double>("best reward");
  c.best_update_ = r.get<int64_t>("best update");
  if (c.has_best_) r.get_doubles(c.best_theta_, tn, "best theta");
  r.get_doubles(c.theta_, tn, "theta");
  if (r.pos != in.size() - 8) throw UserError(source + ": " + std::to_string(in.size() - 8 - r.pos) + " unexpected trailing bytes");
  if (c.updates_ < 0 || c.adam_.t < 0) throw UserError(source + ": negative counters");
  // Checksum-valid is not enough: a NaN or infinite θ would reach the sampler's table as an internal
  // error, so the contents are checked too (Adam's second moment must also be non-negative).
  auto all_finite = [&](const std::vector<double>& v, const char* field, bool non_negative = false) {
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i]) || (non_negative && v[i] < 0))
        throw UserError(source + ": field \"" + field + "\" entry " + std::to_string(i) + " is " +
                        std::to_string(v[i]) + (non_negative ? " (must be finite and >= 0)" : " (must be finite)"));
  };
  all_finite(c.theta_, "theta");
  all_finite(c.best_theta_, "best theta");
  all_finite(c.adam_.m, "adam m");
  all_finite(c.adam_.v, "adam v", true);
  all_finite(c.baseline_, "baseline");
  if (c.has_best_ && !std::isfinite(c.best_reward_)) throw UserError(source + ": field \"best reward\" is not finite");
  return c;
}

}  // namespace aws
