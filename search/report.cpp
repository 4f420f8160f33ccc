// The HTML report of a search run: plain strings, inline SVG, no scripts. See report.h.
#include "search/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "augment/elements.h"
#include "augment/policy.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "train/model_file.h"
#include "search/policy_stats.h"
#include "search/run_dir.h"
#include "search/search_mode.h"

namespace aws {

using nlohmann::json;

namespace {

std::string num(double v, int prec = 4) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", prec, v);
  return b;
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

struct Series {
  std::string name, color;
  std::vector<double> y;  // x = index
};

// A line plot of several series over the loop index, with min/max labels on both axes.
std::string line_plot(const std::string& title, const std::vector<Series>& series, const std::string& ylabel) {
  const double W = 640, H = 260, L = 60, R = 130, T = 28, B = 36;
  double lo = 1e300, hi = -1e300;
  size_t n = 0;
  for (const auto& s : series)
    for (double v : s.y) lo = std::min(lo, v), hi = std::max(hi, v), n = std::max(n, s.y.size());
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H << "' font-family='sans-serif' font-size='11'>";
  o << "<text x='" << L << "' y='16' font-size='13' font-weight='bold'>" << esc(title) << "</text>";
  if (n == 0) return o.str() + "<text x='60' y='100'>no loops logged yet</text></svg>";
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  const double pw = W - L - R, ph = H - T - B;
  auto X = [&](double i) { return L + (n > 1 ? i / double(n - 1) : 0.5) * pw; };
  auto Y = [&](double v) { return T + (1 - (v - lo) / (hi - lo)) * ph; };
  o << "<rect x='" << L << "' y='" << T << "' width='" << pw << "' height='" << ph << "' fill='none' stroke='#888'/>";
  o << "<text x='" << L - 4 << "' y='" << T + 4 << "' text-anchor='end'>" << num(hi) << "</text>";
  o << "<text x='" << L - 4 << "' y='" << T + ph << "' text-anchor='end'>" << num(lo) << "</text>";
  o << "<text x='" << L << "' y='" << H - 18 << "'>0</text>";
  o << "<text x='" << L + pw << "' y='" << H - 18 << "' text-anchor='end'>" << n - 1 << "</text>";
  o << "<text x='" << L + pw / 2 << "' y='" << H - 6 << "' text-anchor='middle'>loop</text>";
  o << "<text x='14' y='" << T + ph / 2 << "' transform='rotate(-90 14 " << T + ph / 2 << ")' text-anchor='middle'>"
    << esc(ylabel) << "</text>";
  int row = 0;
  for (const auto& s : series) {
    o << "<polyline fill='none' stroke='" << s.color << "' stroke-width='1.5' points='";
    for (size_t i = 0; i < s.y.size(); ++i) o << num(X(double(i)), 6) << "," << num(Y(s.y[i]), 6) << " ";
    o << "'/>";
    o << "<line x1='" << L + pw + 10 << "' x2='" << L + pw + 28 << "' y1='" << T + 10 + 16 * row << "' y2='"
      << T + 10 + 16 * row << "' stroke='" << s.color << "' stroke-width='2'/>";
    o << "<text x='" << L + pw + 32 << "' y='" << T + 14 + 16 * row << "'>" << esc(s.name) << "</text>";
    ++row;
  }
  return o.str() + "</svg>";
}

// 36×36 heat map of p (row i = first element, column j = second), colour = p relative to the max.
std::string heat_map(const std::vector<double>& probs) {
  const int cell = 13, L = 130, T = 130;
  const int size = L + cell * kElements + 20;
  double mx = *std::max_element(probs.begin(), probs.end());
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << size + 60 << "' height='" << size << "' font-family='sans-serif' font-size='9'>";
  for (int i = 0; i < kElements; ++i) {
    const char* name = element_info(i).name;
    o << "<text x='" << L - 4 << "' y='" << T + cell * i + cell - 3 << "' text-anchor='end'>" << esc(name) << "</text>";
    const int x = L + cell * i + cell - 3;
    o << "<text x='" << x << "' y='" << T - 4 << "' transform='rotate(-90 " << x << " " << T - 4 << ")'>" << esc(name)
      << "</text>";
  }
  for (int i = 0; i < kElements; ++i)
    for (int j = 0; j < kElements; ++j) {
      const double p = probs[size_t(i * kElements + j)];
      const double f = mx > 0 ? p / mx : 0;
      const int r = int(255 - 200 * f), g = int(255 - 150 * f), b = 255;
      o << "<rect x='" << L + cell * j << "' y='" << T + cell * i << "' width='" << cell << "' height='" << cell
        << "' fill='rgb(" << r << "," << g << "," << b << ")' stroke='#eee' stroke-width='0.5'><title>"
        << esc(element_info(i).name) << " then " << esc(element_info(j).name) << ": p = " << num(p, 5)
        << "</title></rect>";
    }
  o << "<text x='" << L << "' y='" << size - 4 << "' font-size='10'>row: first element, column: second; darkest = "
    << num(mx, 4) << " (uniform = " << num(1.0 / kPairs, 4) << ")</text>";
  return o.str() + "</svg>";
}

// "Does it beat its null?": the run's best and last θ beside every null run in RUN/null-*/ (SPEC §8a).
// A search that found something has its KL to uniform (and, when planted, its planted-element mass)
// beyond its nulls'; the verdict gives one-sided permutation p-values.
std::string null_section(const RunDir& rd, const SearchConfig& cfg) {
  if (!file_exists(rd.policy())) return "";
  const int element = cfg.plant.empty() ? -1 : parse_plant(cfg.plant).element;
  struct Row {
    std::string name;
    std::vector<double> p;
    bool last;  // last θ (policy-last.json), else best θ
  };
  std::vector<Row> runs{{"this run, best θ", read_policy_json(rd.policy()).probs, false}};
  if (file_exists(rd.policy_last()))
    runs.push_back({"this run, last θ", read_policy_json(rd.policy_last()).probs, true});
  std::vector<Row> nulls;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(rd.dir))
    if (e.is_directory() && e.path().filename().string().rfind("null-", 0) == 0) names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::string base = std::filesystem::path(n).filename().string();
    if (file_exists(n + "/policy.json"))
      nulls.push_back({base + ", best θ", read_policy_json(n + "/policy.json").probs, false});
    if (file_exists(n + "/policy-last.json"))
      nulls.push_back({base + ", last θ", read_policy_json(n + "/policy-last.json").probs, true});
  }
  std::ostringstream o;
  o << "<h2>Against its null</h2>";
  if (nulls.empty())
    return o.str() + "<p>No null run in this directory: run <code>aws search --run " + esc(rd.dir) +
           " --null 32</code> (seconds) before reading anything into this policy.</p>";
  o << "<p>A null run is the same controller fed this run's rewards in a random order, with pair counts drawn "
       "under its own θ: whatever it shows too is noise.</p><table><tr><th>#</th><th>policy</th><th>entropy</th>"
       "<th>KL to uniform</th>";
  if (element >= 0) o << "<th>" << esc(element_info(element).name) << " pairs' mass / uniform</th>";
  o << "<th>top-10 overlap with best θ</th><th>marginals r with best θ</th></tr>";
  int i = 0;
  auto row = [&](const Row& r) {
    const json f = policy_figures(r.p, element), a = policy_agreement(runs[0].p, r.p);
    o << "<tr><td>" << ++i << "</td><td>" << esc(r.name) << "</td><td>" << num(f["entropy"].get<double>(), 5)
      << "</td><td>" << num(f["kl_uniform"].get<double>(), 3) << "</td>";
    if (element >= 0) o << "<td>" << num(f["element_pair_mass_over_uniform"].get<double>(), 3) << "</td>";
    o << "<td>" << num(a["top10_overlap"].get<double>(), 2) << "</td><td>" << num(a["marginals_pearson"].get<double>(), 3)
      << "</td></tr>";
  };
  for (const Row& r : runs) row(r);
  for (const Row& r : nulls) row(r);
  o << "</table>";
  // One-sided permutation p-values: (1 + nulls at least as far from uniform) / (1 + nulls), best θ
  // against the nulls' best θ, last against last; with a planted element, its mass (lower is better).
  auto p_value = [&](const Row& run, const char* field, bool higher) {
    const double x = policy_figures(run.p, element)[field].get<double>();
    int n = 0, beyond = 0;
    for (const Row& r : nulls)
      if (r.last == run.last) {
        const double y = policy_figures(r.p, element)[field].get<double>();
        ++n;
        beyond += higher ? y >= x : y <= x;
      }
    return std::make_pair(x, n ? double(1 + beyond) / double(1 + n) : 1.0);
  };
  o << "<p><b>Verdict</b> (one-sided permutation p-values against the nulls; p ≥ 1/(1 + nulls), so "
    << "20 or more nulls are needed for p &lt; 0.05):";
  for (const Row& run : runs) {
    const char* which = run.last ? "last θ" : "best θ";
    const auto [kl, p] = p_value(run, "kl_uniform", true);
    o << " " << which << "'s KL to uniform " << num(kl, 3) << ", p = " << num(p, 3) << ";";
    if (element >= 0) {
      const auto [m, pm] = p_value(run, "element_pair_mass_over_uniform", false);
      o << " its planted element's pairs hold " << num(m, 3) << " of their uniform share (pass: below 0.5), p = "
        << num(pm, 3) << ";";
    }
  }
  o << " best θ is the loop with the highest reward, so when rewards drift over the loops it is a late θ and its "
       "p understates chance; last θ is the fairer comparison.</p>";
  return o.str();
}

}  // namespace

std::string search_report_html(const std::string& dir) {
  const RunDir rd{dir};
  SearchConfig cfg = read_search_config(rd.config());
  std::vector<json> log = read_log(rd.log());
  Series reward{"reward (mean)", "#1f77b4", {}}, base{"baseline (slot 0)", "#ff7f0e", {}}, best{"best so far", "#2ca02c", {}};
  Series ent{"entropy of p", "#9467bd", {}};
  double t_restore = 0, t_aug = 0, t_train = 0, t_eval = 0, t_ppo = 0, t_loop = 0;
  for (const json& r : log) {
    reward.y.push_back(r.value("reward", 0.0));
    if (r.contains("baseline") && r["baseline"].is_array() && !r["baseline"].empty())
      base.y.push_back(r["baseline"][0].get<double>());
    best.y.push_back(r.value("best_reward", 0.0));
    ent.y.push_back(r.value("entropy", 0.0));
    if (r.contains("seconds")) {
      const json& s = r["seconds"];
      t_restore += s.value("restore", 0.0), t_aug += s.value("augment", 0.0), t_train += s.value("train", 0.0);
      t_eval += s.value("eval", 0.0), t_ppo += s.value("ppo", 0.0), t_loop += s.value("loop", 0.0);
    }
  }
  double stage1_s = -1;
  if (file_exists(rd.omega_share())) stage1_s = read_model_file_info(rd.omega_share()).extra.value("seconds", -1.0);

  std::ostringstream o;
  o << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>AWS search " << esc(dir) << "</title>"
    << "<style>body{font-family:sans-serif;max-width:1000px;margin:20px auto;color:#222}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    << "td:nth-child(2),th:nth-child(2){text-align:left}</style></head><body>";
  o << "<h1>AWS search: " << esc(dir) << "</h1>";
  o << "<p>" << esc(cfg.model) << " on " << esc(cfg.data) << ", preset " << esc(cfg.preset) << ", proxy "
    << esc(cfg.proxy) << ", mode " << esc(cfg.mode) << ", controller " << esc(cfg.controller)
    << (cfg.plant.empty() ? "" : ", planted " + esc(cfg.plant)) << ", seed " << cfg.seed << ", T_max " << cfg.t_max << ", K " << cfg.k << ", config digest "
    << cfg.digest() << ". " << log.size() << " loops logged.</p>";
  o << "<details><summary>configuration</summary><pre>" << esc(cfg.to_json().dump(2)) << "</pre></details>";
  o << "<h2>Reward and baseline</h2>" << line_plot("validation reward per loop (%)", {reward, base, best}, "accuracy %");
  o << "<h2>Entropy of p</h2>" << line_plot("entropy of p_theta after each update (nats; uniform = " +
                                             num(std::log(double(kPairs)), 5) + ")", {ent}, "nats");
  if (file_exists(rd.policy())) {
    Policy p = read_policy_json(rd.policy());
    o << "<h2>Final policy (best θ)</h2><p>source: <code>" << esc(p.source_json) << "</code></p>" << heat_map(p.probs);
    o << "<h2>Top 25 pairs</h2><table><tr><th>#</th><th>pair (first, then second)</th><th>p</th><th>× uniform</th></tr>";
    int rank = 0;
    for (auto [k, pk] : policy_top(p.probs, 25))
      o << "<tr><td>" << ++rank << "</td><td>" << esc(element_info(k / kElements).name) << " → "
        << esc(element_info(k % kElements).name) << "</td><td>" << num(pk, 5) << "</td><td>" << num(pk * kPairs, 3)
        << "</td></tr>";
    o << "</table>";
  } else {
    o << "<p>policy.json not written yet (the search has not finished).</p>";
  }
  o << null_section(rd, cfg);
  o << "<h2>Time per stage</h2><table><tr><th>stage</th><th>part</th><th>seconds</th><th>share of stage 2</th></tr>";
  auto row = [&](const char* st, const char* part, double s) {
    o << "<tr><td>" << st << "</td><td>" << part << "</td><td>" << num(s, 5) << "</td><td>"
      << (t_loop > 0 && std::string(st) == "2" ? num(100 * s / t_loop, 3) + "%" : "") << "</td></tr>";
  };
  if (stage1_s >= 0) row("1", "train ω_share (this process)", stage1_s);
  row("2", "restore ω_share", t_restore);
  row("2", "augmentation", t_aug);
  row("2", "train steps", t_train);
  row("2", "evaluation", t_eval);
  row("2", "PPO update", t_ppo);
  row("2", "all loops", t_loop);
  o << "</table><p>Per-loop numbers are in <code>log.jsonl</code>.</p></body></html>\n";
  return o.str();
}

std::string write_search_report(const std::string& dir, const std::string& out) {
  const std::string path = out.empty() ? RunDir{dir}.report() : out;
  atomic_write_file(path, search_report_html(dir));
  return path;
}

}  // namespace aws
