// The proxy correlation study. See correlate.h.
#include "search/correlate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/pipeline.h"
#include "engine/core/arena.h"
#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/data/normalize.h"
#include "engine/data/registry.h"
#include "engine/data/split.h"
#include "engine/io/atomic_file.h"
#include "engine/io/jsonl.h"
#include "engine/optim/sgd.h"
#include "models/precision.h"
#include "search/search_driver.h"
#include "search/trainer.h"

namespace aws {

using nlohmann::json;

void CorrelateConfig::validate() const {
  if (policies < 16) throw UserError("--policies must be >= 16 (got " + std::to_string(policies) + ")");
  if (subset <= 0) throw UserError("--subset must be > 0");
  if (val <= 0) throw UserError("--val must be > 0");
  if (batch <= 0 || batch > subset) throw UserError("--batch must be in [1, --subset]");
  if (stage1_epochs <= 0) throw UserError("--stage1-epochs must be > 0");
  if (finetune_epochs <= 0) throw UserError("--finetune-epochs must be > 0");
  if (full_epochs <= 0) throw UserError("--full-epochs must be > 0");
  if (device != "cpu" && device != "cuda") throw UserError("--device " + device + ": expected cpu or cuda");
  resolve_math(math, device == "cuda" ? Device::cuda : Device::cpu);
}

Policy correlate_policy(int n, int count, uint64_t seed, double* harmful_share) {
  static const char* kHarmful[] = {"Invert", "Solarize_mag0", "Solarize_mag85.3", "Posterize_mag4", "Equalize",
                                   "TranslateX_mag0.453", "TranslateY_mag0.453", "Rotate_mag30", "ShearY_mag0.3"};
  static const char* kBenign[] = {"Brightness_mag0.3", "Contrast_mag0.3", "Sharpness_mag0.3", "Sharpness_mag0.6",
                                  "Posterize_mag7", "Rotate_mag10", "ShearX_mag0.1", "TranslateX_mag0.151",
                                  "Color_mag0.3"};
  const int kPicks = 8;
  const int harmful = int(std::lround(double(kPicks) * n / double(std::max(1, count - 1))));
  const uint64_t stream = rng_stream(RngKey{seed, 7, uint32_t(n), 0, 0, 0});
  Policy p = builtin_policy("uniform");
  p.name = "correlate-" + std::to_string(n);
  p.probs.assign(kPairs, 0.0);
  std::vector<int> chosen;
  for (uint32_t draw = 0; int(chosen.size()) < kPicks; ++draw) {
    Rand4 r = philox4x32(stream, draw, 0);
    const bool h = int(chosen.size()) < harmful;
    const char* const* set = h ? kHarmful : kBenign;
    const uint32_t size = h ? 9u : 9u;
    int a = element_index(set[rand_below(r.v[0], size)]), b = element_index(set[rand_below(r.v[1], size)]);
    int k = a * kElements + b;
    if (std::find(chosen.begin(), chosen.end(), k) == chosen.end()) chosen.push_back(k);
  }
  for (int k : chosen) p.probs[size_t(k)] = 1.0 / kPicks;
  if (harmful_share) *harmful_share = double(harmful) / kPicks;
  return p;
}


static std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  for (size_t i = 0; i < v.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = double(i + j) / 2.0 + 1.0;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) { return pearson(ranks(x), ranks(y)); }

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
    << ": Pearson " << r << ", Spearman " << rho << "</text><rect x='" << L << "' y='" << T << "' width='" << pw
    << "' height='" << ph << "' fill='none' stroke='#888'/>";
  for (size_t i = 0; i < x.size(); ++i)
    o << "<circle cx='" << L + (x[i] - xl) / (xh - xl) * pw << "' cy='" << T + (1 - (y[i] - yl) / (yh - yl)) * ph
      << "' r='3' fill='#1f77b4'/>";
  o << "<text x='" << L << "' y='" << T + ph + 14 << "'>" << xl << "</text><text x='" << L + pw << "' y='" << T + ph + 14
    << "' text-anchor='end'>" << xh << "</text><text x='" << L + pw / 2 << "' y='" << H - 4
    << "' text-anchor='middle'>proxy accuracy %</text><text x='" << L - 3 << "' y='" << T + 8 << "' text-anchor='end'>"
    << yh << "</text><text x='" << L - 3 << "' y='" << T + ph << "' text-anchor='end'>" << yl << "</text></svg>";
  return o.str();
}

}  // namespace

void run_correlate(const CorrelateConfig& cfg, const std::function<void(const std::string&)>& say) {
  cfg.validate();
  std::filesystem::create_directories(cfg.out);
  Dataset train = load_dataset(cfg.data, cfg.data_dir, true), test = load_dataset(cfg.data, cfg.data_dir, false);
  // D_tr / D_val and the subset as the search draws them (engine/data/split.h); a --subset larger than
  // D_tr is refused there.
  const Split s = make_data_split(train, cfg.val, cfg.subset, cfg.seed);
  const Normalization norm = compute_normalization(train, s.train);
  Ctx ctx(cfg.device == "cuda" ? Device::cuda : Device::cpu, cfg.threads);
  ModelSpec spec{cfg.model, train.h, train.w, train.c, train.num_classes, 0.5f};
  apply_math(cfg.math, ctx, spec);
  auto model = create_model(spec, cfg.batch, ctx.device);
  Sgd sgd(SgdConfig{0.9f, true, 1e-4f});
  Trainer tr(ctx, *model, sgd, TrainOptions{0.05f, 3.0f, 1}, cfg.batch);
  ResidentImages res(ctx, train), test_res(ctx, test);
  const int64_t steps = int64_t(s.train.size()) / cfg.batch;
  auto recipe = [&](int epochs) {  // SPEC §6, scaled to `epochs`
    LrSchedule lr;
    lr.kind = LrKind::cosine;
    lr.base = 0.2, lr.floor = 0.001, lr.warmup_from = 0.05;
    lr.total = steps * epochs;
    lr.warmup = std::min<int64_t>(steps, lr.total - 1);
    return lr;
  };
  auto train_from = [&](const Snapshot& from, const Policy& pol, int epochs, uint32_t stage, uint32_t loop,
                        const LrSchedule& lr) {
    from.restore(ctx, model->state);
    AugmentPlan plan = make_augment_plan(pol, train.h, train.w, train.c, norm);
    int64_t iter = 0;
    std::vector<double> accs;
    for (int e = 0; e < epochs; ++e) {
      tr.train_epoch(res, s.train, plan, RngKey{cfg.seed, stage, loop, 0, uint32_t(e), 0}, lr, iter);
      accs.push_back(tr.evaluate(res, s.val, norm));
    }
    return accs;
  };
  model->init_params(ctx, cfg.seed);
  Snapshot init, omega_af, omega_nf;
  init.take(ctx, model->state);
  say("stage 1 (uniform) for P_AF/P_AV");
  train_from(init, builtin_policy("uniform"), cfg.stage1_epochs, 1, 0, recipe(cfg.stage1_epochs));
  omega_af.take(ctx, model->state);
  say("stage 1 (crop-flip) for P_NF");
  train_from(init, builtin_policy("crop-flip"), cfg.stage1_epochs, 1, 1, recipe(cfg.stage1_epochs));
  omega_nf.take(ctx, model->state);

  LrSchedule ft;
  ft.kind = LrKind::constant;
  ft.base = 0.001;
  ft.total = steps * cfg.finetune_epochs;
  JsonlWriter log(cfg.out + "/correlate.jsonl");
  std::vector<double> full, af, nf, it, av;
  for (int n = 0; n < cfg.policies; ++n) {
    double share = 0;
    Policy pol = correlate_policy(n, cfg.policies, cfg.seed, &share);
    auto accs = train_from(init, pol, cfg.full_epochs, 3, uint32_t(n), recipe(cfg.full_epochs));
    full.push_back(tr.evaluate(test_res, {}, norm));
    af.push_back(reward_of(train_from(omega_af, pol, cfg.finetune_epochs, 2, uint32_t(n), ft)));
    nf.push_back(reward_of(train_from(omega_nf, pol, cfg.finetune_epochs, 2, uint32_t(n), ft)));
    it.push_back(reward_of(train_from(init, pol, cfg.finetune_epochs, 2, uint32_t(n), ft)));
    omega_af.restore(ctx, model->state);
    AugmentPlan pav = make_augment_plan(pol, train.h, train.w, train.c, norm, PlanOptions{true});
    av.push_back(tr.evaluate_augmented(res, s.val, pav, RngKey{cfg.seed, 2, uint32_t(n), 0, 0, 0}));
    json top = json::array();
    for (auto [k, p] : policy_top(pol.probs, 8))
      if (p > 0) top.push_back({element_info(k / kElements).name, element_info(k % kElements).name});
    json rec{{"policy", n},        {"harmful_share", share}, {"pairs", top},      {"full_test_acc", full.back()},
             {"full_val_acc", accs.back()}, {"af", af.back()}, {"nf", nf.back()}, {"it", it.back()}, {"av", av.back()}};
    log.write(rec);
    say("policy " + std::to_string(n + 1) + "/" + std::to_string(cfg.policies) + ": " + rec.dump());
  }
  json result = json::object();
  std::string svgs;
  for (auto [name, v] : std::vector<std::pair<std::string, std::vector<double>*>>{{"AF", &af}, {"NF", &nf}, {"IT", &it}, {"AV", &av}}) {
    double r = pearson(*v, full), rho = spearman(*v, full);
    result[name] = {{"pearson", r}, {"spearman", rho}};
    svgs += scatter_svg(name, *v, full, r, rho);
  }
  result["config"] = {{"policies", cfg.policies}, {"subset", cfg.subset}, {"val", cfg.val}, {"seed", cfg.seed},
                      {"stage1_epochs", cfg.stage1_epochs}, {"finetune_epochs", cfg.finetune_epochs},
                      {"full_epochs", cfg.full_epochs}, {"model", cfg.model}, {"data", cfg.data},
                      {"device", cfg.device}, {"math", resolve_math(cfg.math, ctx.device)}};
  atomic_write_file(cfg.out + "/correlation.json", result.dump(2) + "\n");
  atomic_write_file(cfg.out + "/correlation.html",
                    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>proxy correlation</title></head><body>"
                    "<h1>Proxy accuracy (x) vs full-training test accuracy (y)</h1>" + svgs +
                    "<pre>" + result.dump(2) + "</pre></body></html>\n");
  say("correlations: " + result.dump());
}

}  // namespace aws
