// The proxy correlation study on the search's configuration. See correlate.h.
#include "search/correlate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <xxhash.h>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "core/rng.h"
#include "engine/data/registry.h"
#include "engine/io/atomic_file.h"
#include "engine/io/jsonl.h"
#include "engine/io/read_file.h"
#include "train/final_training.h"
#include "search/policy_stats.h"
#include "train/recipe.h"
#include "search/run_dir.h"
#include "search/search_session.h"

namespace aws {

using nlohmann::json;

void CorrelateConfig::validate() const {
  search.validate();
  if (policies < 6) throw UserError("--policies must be >= 6 (got " + std::to_string(policies) + ")");
  if (truth_epochs <= 0) throw UserError("--truth-epochs must be > 0");
  if (second_seed < 0 || second_seed > policies)
    throw UserError("--second-seed must be in [0, --policies] (got " + std::to_string(second_seed) + ")");
  if (bootstrap < 100) throw UserError("--bootstrap must be >= 100");
}

std::string CorrelateConfig::digest() const {
  const json j{{"search", search.semantic_json()}, {"truth_epochs", truth_epochs}, {"second_seed", second_seed},
               {"truth_recipe", "final"}};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)XXH3_64bits(j.dump().data(), j.dump().size()));
  return buf;
}

Policy correlate_policy(int n, uint64_t seed, std::string* kind) {
  const uint64_t stream = rng_stream(RngKey{seed, 7, uint32_t(n), 0, 0, 0});
  Policy p = builtin_policy("uniform");
  p.name = "correlate-" + std::to_string(n);
  const int k = n % 6;
  if (k < 3) {  // softmax of θ ~ N(0, s²), Box–Muller from one Philox block per two pairs
    const double s = k == 0 ? 0.5 : k == 1 ? 1.0 : 2.0;
    std::vector<double> theta(kPairs);
    for (int i = 0; i < kPairs; i += 2) {
      Rand4 r = philox4x32(stream, uint32_t(i), 0);
      const double u1 = std::max(rand_unit_double(r.v[0], r.v[1]), 1e-300), u2 = rand_unit_double(r.v[2], r.v[3]);
      const double rad = std::sqrt(-2.0 * std::log(u1));
      theta[size_t(i)] = s * rad * std::cos(2 * M_PI * u2);
      theta[size_t(i) + 1] = s * rad * std::sin(2 * M_PI * u2);
    }
    const double mx = *std::max_element(theta.begin(), theta.end());
    double z = 0;
    for (double& t : theta) z += (t = std::exp(t - mx));
    p.probs.assign(kPairs, 0.0);
    for (int i = 0; i < kPairs; ++i) p.probs[size_t(i)] = theta[size_t(i)] / z;
    if (kind) *kind = "theta-s" + std::string(k == 0 ? "0.5" : k == 1 ? "1" : "2");
  } else {  // uniform on M distinct pairs
    const int m = k == 3 ? 8 : k == 4 ? 32 : 128;
    std::vector<int> chosen;
    for (uint32_t draw = 0; int(chosen.size()) < m; ++draw) {
      const int pair = int(rand_below(philox4x32(stream, draw, 1).v[0], kPairs));
      if (std::find(chosen.begin(), chosen.end(), pair) == chosen.end()) chosen.push_back(pair);
    }
    p.probs.assign(kPairs, 0.0);
    for (int pair : chosen) p.probs[size_t(pair)] = 1.0 / m;
    if (kind) *kind = "sparse-" + std::to_string(m);
  }
  return p;
}

double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
  AWS_ASSERT(x.size() == y.size(), "kendall_tau_b: sizes differ");
  double concordant = 0, discordant = 0, tx = 0, ty = 0;
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = i + 1; j < x.size(); ++j) {
      const double a = x[i] - x[j], b = y[i] - y[j];
      if (a == 0 && b == 0) continue;
      if (a == 0) tx += 1;
      else if (b == 0) ty += 1;
      else if ((a > 0) == (b > 0)) concordant += 1;
      else discordant += 1;
    }
  const double d = std::sqrt((concordant + discordant + tx) * (concordant + discordant + ty));
  return d > 0 ? (concordant - discordant) / d : 0.0;
}

namespace {

// Resample r of n indices (with replacement), stream {seed, 9, r}.
std::vector<size_t> resample(size_t n, int r, uint64_t seed) {
  const uint64_t stream = rng_stream(RngKey{seed, 9, uint32_t(r), 0, 0, 0});
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = rand_below(philox4x32(stream, uint32_t(i), 0).v[0], uint32_t(n));
  return idx;
}

std::vector<double> pick(const std::vector<double>& v, const std::vector<size_t>& idx) {
  std::vector<double> out(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) out[i] = v[idx[i]];
  return out;
}

std::pair<double, double> percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))]; };
  return {at(0.025), at(0.975)};
}

json stat_json(double value, std::pair<double, double> ci) { return {{"value", value}, {"ci95", {ci.first, ci.second}}}; }

}  // namespace

std::pair<double, double> bootstrap_ci(const std::vector<double>& x, const std::vector<double>& y, const PairStat& stat,
                                       int resamples, uint64_t seed) {
  std::vector<double> vals;
  for (int r = 0; r < resamples; ++r) {
    const std::vector<size_t> idx = resample(x.size(), r, seed);
    vals.push_back(stat(pick(x, idx), pick(y, idx)));
  }
  return percentiles(vals);
}

json correlation_summary(const std::vector<std::pair<std::string, std::vector<double>>>& proxies,
                         const std::vector<double>& truth, const std::vector<double>& truth2, int resamples,
                         uint64_t seed) {
  json out = json::object();
  for (const auto& [name, v] : proxies)
    out[name] = {{"pearson", stat_json(pearson(v, truth), bootstrap_ci(v, truth, pearson, resamples, seed))},
                 {"kendall", stat_json(kendall_tau_b(v, truth), bootstrap_ci(v, truth, kendall_tau_b, resamples, seed))}};
  // Paired: the same resampled policies for both proxies; the interval of τ_A − τ_B.
  json paired = json::array();
  for (size_t a = 0; a < proxies.size(); ++a)
    for (size_t b = a + 1; b < proxies.size(); ++b) {
      std::vector<double> diffs;
      for (int r = 0; r < resamples; ++r) {
        const std::vector<size_t> idx = resample(truth.size(), r, seed);
        const std::vector<double> t = pick(truth, idx);
        diffs.push_back(kendall_tau_b(pick(proxies[a].second, idx), t) - kendall_tau_b(pick(proxies[b].second, idx), t));
      }
      const auto ci = percentiles(diffs);
      paired.push_back({{"a", proxies[a].first}, {"b", proxies[b].first},
                        {"kendall_difference", kendall_tau_b(proxies[a].second, truth) - kendall_tau_b(proxies[b].second, truth)},
                        {"ci95", {ci.first, ci.second}}, {"excludes_zero", ci.first > 0 || ci.second < 0}});
    }
  out["paired"] = paired;
  // Two trainings of the same policies from two seeds correlate r; a proxy's correlation with one
  // training is then bounded by sqrt(r) (attenuation by the training's own noise).
  if (truth2.size() >= 3) {
    const std::vector<double> t1(truth.begin(), truth.begin() + std::ptrdiff_t(truth2.size()));
    const double r = pearson(t1, truth2);
    out["noise_ceiling"] = {
        {"policies", truth2.size()},
        {"pearson", stat_json(r, bootstrap_ci(t1, truth2, pearson, resamples, seed))},
        {"kendall", stat_json(kendall_tau_b(t1, truth2), bootstrap_ci(t1, truth2, kendall_tau_b, resamples, seed))},
        {"proxy_pearson_bound", r > 0 ? std::sqrt(r) : 0.0}};
  } else if (!truth2.empty()) {
    out["noise_ceiling"] = {{"policies", truth2.size()}, {"note", "needs a second seed on >= 3 policies"}};
  }
  return out;
}

namespace {

std::string scatter_svg(const std::string& name, const std::vector<double>& x, const std::vector<double>& y, double r,
                        double rho) {
  const double W = 300, H = 260, L = 50, T = 30, pw = 230, ph = 190;
  auto mm = [](const std::vector<double>& v) {
    double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    return std::make_pair(lo, hi);
  };
  auto [xl, xh] = mm(x);
  auto [yl, yh] = mm(y);
  std::ostringstream o;
  o.precision(4);
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
    << "' font-family='sans-serif' font-size='10'><text x='" << L << "' y='14' font-size='12'>P_" << name
    << ": Pearson " << r << ", Kendall " << rho << "</text><rect x='" << L << "' y='" << T << "' width='" << pw
    << "' height='" << ph << "' fill='none' stroke='#888'/>";
  for (size_t i = 0; i < x.size(); ++i)
    o << "<circle cx='" << L + (x[i] - xl) / (xh - xl) * pw << "' cy='" << T + (1 - (y[i] - yl) / (yh - yl)) * ph
      << "' r='3' fill='#1f77b4'/>";
  o << "<text x='" << L << "' y='" << T + ph + 14 << "'>" << xl << "</text><text x='" << L + pw << "' y='" << T + ph + 14
    << "' text-anchor='end'>" << xh << "</text><text x='" << L + pw / 2 << "' y='" << H - 4
    << "' text-anchor='middle'>proxy reward</text><text x='" << L - 3 << "' y='" << T + 8 << "' text-anchor='end'>"
    << yh << "</text><text x='" << L - 3 << "' y='" << T + ph << "' text-anchor='end'>" << yl << "</text></svg>";
  return o.str();
}

// Silent observers: the study prints one line per policy.
struct QuietSearch : SearchObserver {
  std::function<void(const std::string&)> say;
  void message(const std::string& line) override { say(line); }
};
struct QuietTraining : TrainingObserver {};

// Ground truth: `aws train --recipe final --epochs E --batch B` on the search's split, from `seed`.
double truth_accuracy(const CorrelateConfig& cfg, const Dataset& train, const Dataset& test, const Split& split,
                      const Policy& policy, uint64_t seed) {
  TrainingSpec spec;
  spec.model = cfg.search.model;
  spec.math = cfg.search.math;
  spec.recipe = train_recipe("final");
  spec.recipe.epochs = cfg.truth_epochs;
  spec.recipe.batch = cfg.search.batch;
  spec.policy = policy;
  spec.seed = seed;
  spec.cuda_graphs = cfg.search.cuda_graphs;
  Ctx ctx(cfg.search.device_spec(), cfg.search.threads);
  QuietTraining quiet;
  Split train_only{split.train, {}};  // the test accuracy only: no D_val evaluation per epoch
  return train_model(ctx, train, test, train_only, spec, quiet).test_acc;
}

// The records of an earlier run of the same configuration (policies 0 .. n-1 in order); anything else
// is refused naming the file and line. A torn last line is dropped (the file is rewritten atomically
// only then). The caller holds the folder's lock.
std::vector<json> resume_records(const std::string& path, const std::string& digest, int policies) {
  std::vector<json> recs = read_log(path);
  std::string kept;
  for (size_t i = 0; i < recs.size(); ++i) {
    const json& r = recs[i];
    const std::string where = path + ": line " + std::to_string(i + 1) + ": ";
    if (!r.is_object()) throw UserError(where + "not a JSON object");
    const json digest_field = r.value("config_digest", json());
    if (!digest_field.is_string() || digest_field.get<std::string>() != digest)
      throw UserError(path + ": written by another configuration (digest " + digest_field.dump() + ", this study " +
                      digest + "); use another --out");
    if (int64_t(i) >= policies)
      throw UserError(path + ": holds more records than --policies " + std::to_string(policies) +
                      " (a study with more policies: rerun it with its own --policies, or use another --out)");
    if (!r.contains("policy") || !r["policy"].is_number_integer() || r["policy"].get<int64_t>() != int64_t(i))
      throw UserError(where + "\"policy\" is not " + std::to_string(i));
    if (!r.contains("truth") || !r["truth"].is_array() || r["truth"].empty() || r["truth"].size() > 2)
      throw UserError(where + "\"truth\" is not an array of one or two accuracies");
    for (const json& t : r["truth"])
      if (!t.is_number()) throw UserError(where + "\"truth\" holds a non-number");
    for (const char* f : {"af", "nf", "it", "av"})
      if (!r.contains(f) || !r[f].is_number()) throw UserError(where + "\"" + f + "\" is missing or not a number");
    kept += r.dump() + "\n";
  }
  if (file_exists(path)) {
    const std::vector<uint8_t> now = read_file_bytes(path);
    if (std::string(now.begin(), now.end()) != kept) atomic_write_file(path, kept);
  }
  return recs;
}

}  // namespace

void run_correlate(const CorrelateConfig& cfg, const std::function<void(const std::string&)>& say) {
  cfg.validate();
  Dataset train = load_dataset(cfg.search.data, cfg.search.data_dir, true);
  Dataset test = load_dataset(cfg.search.data, cfg.search.data_dir, false);
  checked_search_split(cfg.search, train);  // before anything is written (the sessions draw it again)
  std::error_code ec;
  std::filesystem::create_directories(cfg.out + "/policies", ec);
  if (ec) throw UserError(cfg.out + ": cannot create the output folder (" + ec.message() + ")");
  const RunDirLock lock(RunDir{cfg.out});  // one study per folder: a second one exits 2 naming this PID
  const std::string digest = cfg.digest();
  const std::string log_path = cfg.out + "/correlate.jsonl";
  std::vector<json> recs = resume_records(log_path, digest, cfg.policies);

  // The proxies' stage 1, each in its own search run directory (resumable; P_AV shares P_AF's ω_share,
  // which is the same uniform stage 1).
  QuietSearch obs;
  obs.say = say;
  auto with_proxy = [&](const char* p) {
    SearchConfig c = cfg.search;
    c.proxy = p;
    return c;
  };
  const SearchConfig c_af = with_proxy("af"), c_nf = with_proxy("nf"), c_it = with_proxy("it");
  const std::unique_ptr<Communicator> alone = make_single_communicator();  // the study runs on one rank
  SearchSession af(c_af, train, cfg.out + "/af", obs, *alone);
  SearchSession nf(c_nf, train, cfg.out + "/nf", obs, *alone);
  SearchSession it(c_it, train, cfg.out + "/it", obs, *alone);

  JsonlWriter log(log_path, true);
  for (int n = int(recs.size()); n < cfg.policies; ++n) {
    std::string kind;
    const Policy pol = correlate_policy(n, cfg.search.seed, &kind);
    write_policy_json(cfg.out + "/policies/policy-" + std::to_string(n) + ".json", pol);  // for `aws train --policy`
    json truth = json::array({truth_accuracy(cfg, train, test, af.split(), pol, cfg.search.seed)});
    if (n < cfg.second_seed) truth.push_back(truth_accuracy(cfg, train, test, af.split(), pol, cfg.search.seed + 1));
    json rec{{"policy", n},
             {"kind", kind},
             {"kl_uniform", kl_to_uniform(pol.probs)},
             {"truth", truth},
             {"af", af.trajectory(pol.probs, uint32_t(n), 0).traj.reward},
             {"nf", nf.trajectory(pol.probs, uint32_t(n), 0).traj.reward},
             {"it", it.trajectory(pol.probs, uint32_t(n), 0).traj.reward},
             {"av", af.trajectory(pol.probs, uint32_t(n), 0, Proxy::av).traj.reward},
             {"config_digest", digest}};
    log.write(rec);
    recs.push_back(rec);
    say("policy " + std::to_string(n + 1) + "/" + std::to_string(cfg.policies) + ": " + rec.dump());
  }

  std::vector<double> truth, truth2;
  std::vector<std::pair<std::string, std::vector<double>>> proxies{{"AF", {}}, {"NF", {}}, {"IT", {}}, {"AV", {}}};
  for (const json& r : recs) {
    truth.push_back(r["truth"][0].get<double>());
    if (r["truth"].size() > 1) truth2.push_back(r["truth"][1].get<double>());
    int i = 0;
    for (const char* f : {"af", "nf", "it", "av"}) proxies[size_t(i++)].second.push_back(r[f].get<double>());
  }
  json result = correlation_summary(proxies, truth, truth2, cfg.bootstrap, cfg.search.seed);
  std::string svgs;
  for (const auto& [name, v] : proxies)
    svgs += scatter_svg(name, v, truth, result[name]["pearson"]["value"].get<double>(),
                        result[name]["kendall"]["value"].get<double>());
  result["paper_table5_pearson"] = {{"AF", 0.85}, {"NF", 0.55}, {"IT", 0.36}, {"AV", 0.045}};
  result["config"] = {{"search", cfg.search.to_json()}, {"policies", cfg.policies}, {"truth_epochs", cfg.truth_epochs},
                      {"truth_recipe", "final"}, {"second_seed", cfg.second_seed}, {"bootstrap", cfg.bootstrap},
                      {"config_digest", digest}};
  atomic_write_file(cfg.out + "/correlation.json", result.dump(2) + "\n");
  atomic_write_file(cfg.out + "/correlation.html",
                    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>proxy correlation</title></head><body>"
                    "<h1>Proxy reward (x) vs full-training test accuracy (y)</h1>" + svgs +
                    "<pre>" + result.dump(2) + "</pre></body></html>\n");
  say("correlations: " + result.dump());
}

}  // namespace aws
