// The PPO controller (SPEC §8, §8a): baselines and advantages by hand, the surrogate's gradient
// against central differences in double (flat and factored), zero gradient in the clipped regions,
// the KL early stop (both), Adam with β1 = 0.5, the LR warm-up, best-θ tracking by the loop's mean
// reward, exact serialization (both), and a synthetic search in which the reward is the share of
// sampled pairs that fall in a rewarded set of 10 pairs. ppo_factored_test.cpp covers the factored
// probabilities and draw_pair_counts; ppo_planted_test.cpp a planted penalty beside pure noise.
#include <doctest/doctest.h>

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "search/controller.h"
#include "tests/support/oracle.h"

using namespace aws;

namespace {

Trajectory traj(int slot, double reward, std::vector<int64_t> counts) {
  Trajectory t;
  t.slot = slot;
  t.reward = reward;
  t.counts = std::move(counts);
  return t;
}

}  // namespace

TEST_CASE("ppo: baseline is initialized to the first reward and updated before the advantage") {
  PpoConfig cfg;
  cfg.pairs = 4;
  Controller c(cfg);
  const double R[4] = {50, 60, 40, 70};
  // b: 50, 0.9·50 + 6 = 51, 0.9·51 + 4 = 49.9, 0.9·49.9 + 7 = 51.91; A = 0.5·(R − b)
  const double b[4] = {50, 51, 49.9, 51.91};
  const double A[4] = {0, 4.5, -4.95, 9.045};
  for (int u = 0; u < 4; ++u) {
    PpoUpdateStats st = c.update({traj(0, R[u], {3, 1, 0, 0})});
    CHECK(st.update == u);
    REQUIRE(st.baselines.size() == 1);
    CHECK(st.baselines[0] == doctest::Approx(b[u]).epsilon(1e-14));
    CHECK(st.advantages[0] == doctest::Approx(A[u]).epsilon(1e-13));
  }
  CHECK(c.updates() == 4);

  // Per-pair advantage A·count/Σcount.
  std::vector<double> a = ppo_pair_advantages(2.0, {3, 0, 1, 0});
  CHECK(a == std::vector<double>{1.5, 0, 0.5, 0});
  CHECK(ppo_pair_advantages(2.0, {0, 0, 0, 0}) == std::vector<double>(4, 0.0));
}

TEST_CASE("ppo: each trajectory slot keeps its own baseline; the first update leaves θ unchanged") {
  PpoConfig cfg;
  cfg.pairs = 3;
  cfg.slots = 2;
  Controller c(cfg);
  PpoUpdateStats s0 = c.update({traj(0, 10, {1, 0, 0}), traj(1, 20, {0, 1, 0})});
  CHECK(s0.advantages == std::vector<double>{0, 0});
  CHECK(c.theta() == std::vector<double>(3, 0.0));  // zero advantages: Adam moves nothing
  CHECK(s0.steps == 5);                              // KL stays 0: all steps taken
  CHECK(c.adam().t == 5);
  PpoUpdateStats s1 = c.update({traj(0, 20, {1, 0, 0}), traj(1, 10, {0, 1, 0})});
  CHECK(s1.baselines[0] == doctest::Approx(11.0));
  CHECK(s1.baselines[1] == doctest::Approx(19.0));
  CHECK(s1.advantages[0] == doctest::Approx(4.5));
  CHECK(s1.advantages[1] == doctest::Approx(-4.5));
  // Pair 0 rewarded, pair 1 punished, pair 2 unused: θ0 up, θ1 down.
  CHECK(c.theta()[0] > 0);
  CHECK(c.theta()[1] < 0);
  CHECK_THROWS_AS(c.update({traj(2, 1, {1, 0, 0})}), Error);                        // no such slot
  CHECK_THROWS_AS(c.update({traj(0, 1, {1, 0, 0}), traj(0, 1, {1, 0, 0})}), Error);  // slot twice
}

TEST_CASE("ppo: surrogate gradient matches central differences in double (flat, factored, product)") {
  const uint64_t seed = test::test_seed(21);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N01(0, 1);
  const int n = 1296;
  for (Parameterization pz : {Parameterization::flat, Parameterization::factored, Parameterization::product}) {
    const int tn = ppo_theta_size(pz, n);
    for (int trial = 0; trial < 3; ++trial) {
      const double spread = trial == 0 ? 0.02 : 0.5;  // trial 0 inside the clip range, others across it
      std::vector<double> theta_old(tn), theta(tn), p_old(n), p(n);
      for (int k = 0; k < tn; ++k) {
        theta_old[k] = N01(rng);
        theta[k] = theta_old[k] + spread * N01(rng);
      }
      ppo_probs(pz, theta_old.data(), n, p_old.data());
      ppo_probs(pz, theta.data(), n, p.data());
      std::vector<std::vector<double>> adv(2);
      for (auto& a : adv) {
        std::vector<int64_t> counts(n);
        for (auto& c : counts) c = int64_t(rng() % 5);
        a = ppo_pair_advantages(3.0 * N01(rng), counts);
      }
      // Away from the kinks of the clip (where the surrogate is not differentiable): a pair whose
      // ratio lies within 1e-3 of 1 ± ε gets no advantage, so central differences see a smooth J.
      int crossed = 0;
      for (int k = 0; k < n; ++k) {
        const double r = p[k] / p_old[k];
        crossed += r < 0.8 || r > 1.2;
        if (std::abs(r - 0.8) < 1e-3 || std::abs(r - 1.2) < 1e-3)
          for (auto& a : adv) a[k] = 0.0;
      }
      if (trial == 0) CHECK(crossed == 0);
      if (trial > 0) CHECK(crossed > 100);
      std::vector<double> grad(tn);
      ppo_surrogate(pz, theta.data(), p_old.data(), adv, n, 0.2, grad.data());
      double num = 0, den = 0, worst = 0;
      int worst_k = -1;
      // Every θ₁ entry of the factored θ (all of product's 36) and every 7th entry beyond.
      for (int k = 0; k < tn; k += (pz != Parameterization::flat && k < 36) ? 1 : 7) {
        const double h = 1e-5;
        std::vector<double> tp = theta, tm = theta;
        tp[k] += h;
        tm[k] -= h;
        const double fd = (ppo_surrogate(pz, tp.data(), p_old.data(), adv, n, 0.2, nullptr) -
                           ppo_surrogate(pz, tm.data(), p_old.data(), adv, n, 0.2, nullptr)) /
                          (2 * h);
        num += (fd - grad[k]) * (fd - grad[k]);
        den += fd * fd;
        const double e = std::abs(fd - grad[k]);
        if (e > worst) worst = e, worst_k = k;
      }
      INFO(std::string(parameterization_name(pz)), " trial ", trial, " relative error ", std::sqrt(num / den),
           " worst at θ entry ", worst_k);
      CHECK(den > 0);
      CHECK(std::sqrt(num / den) < 1e-6);
      // The θ-gradient is the chain rule of the p-gradient: ppo_surrogate_probs + ppo_probs_backward.
      std::vector<double> g(n), back(tn);
      ppo_surrogate_probs(p.data(), p_old.data(), adv, n, 0.2, g.data());
      ppo_probs_backward(pz, theta.data(), n, g.data(), back.data());
      CHECK(back == grad);
    }
  }
}

TEST_CASE("ppo: the clipped side of the surrogate has zero gradient, the other side does not") {
  const int n = 4;
  std::vector<double> theta_old(n, 0.0), p_old(n);
  ppo_probs(theta_old.data(), n, p_old.data());
  std::vector<double> up = theta_old, down = theta_old, grad(n);
  up[0] = 1.5;     // p0 = σ(1.5)/(σ(1.5)+1.5) ≈ 0.329 vs 0.25: r ≈ 1.31 > 1.2
  down[0] = -1.5;  // r ≈ 0.61 < 0.8
  std::vector<double> p(n);
  ppo_probs(up.data(), n, p.data());
  REQUIRE(p[0] / p_old[0] > 1.2);
  ppo_probs(down.data(), n, p.data());
  REQUIRE(p[0] / p_old[0] < 0.8);
  auto adv = [&](double a) { return std::vector<std::vector<double>>{{a, 0, 0, 0}}; };
  auto zero = [&](const std::vector<double>& g) {
    return std::all_of(g.begin(), g.end(), [](double v) { return v == 0.0; });
  };
  // A > 0 and r > 1 + ε: clipped, no gradient; the objective is (1 + ε)·A.
  double J = ppo_surrogate(up.data(), p_old.data(), adv(1.0), n, 0.2, grad.data());
  CHECK(zero(grad));
  CHECK(J == doctest::Approx(1.2));
  // A < 0 and r < 1 − ε: clipped, no gradient.
  J = ppo_surrogate(down.data(), p_old.data(), adv(-1.0), n, 0.2, grad.data());
  CHECK(zero(grad));
  CHECK(J == doctest::Approx(-0.8));
  // A > 0 and r < 1 − ε, A < 0 and r > 1 + ε: the unclipped term is the min and pushes back.
  ppo_surrogate(down.data(), p_old.data(), adv(1.0), n, 0.2, grad.data());
  CHECK(grad[0] > 0);
  ppo_surrogate(up.data(), p_old.data(), adv(-1.0), n, 0.2, grad.data());
  CHECK(grad[0] < 0);
  // At θ = θ_old (r = 1) the gradient is A·σ'/S·(1/p_old − 1) for the pair and −A·σ'/S for the others.
  ppo_surrogate(theta_old.data(), p_old.data(), adv(2.0), n, 0.2, grad.data());
  const double ds = 0.25 / 2.0;  // σ'(0)/S with S = 4·0.5
  CHECK(grad[0] == doctest::Approx(2.0 * ds * (4.0 - 1.0)));
  CHECK(grad[1] == doctest::Approx(-2.0 * ds));
}

TEST_CASE("ppo: Adam ascent with β1 = 0.5 matches hand-computed numbers") {
  AdamState s;
  s.m.assign(1, 0.0);
  s.v.assign(1, 0.0);
  double theta = 0;
  // θ after each step for gradients 1, −2, 0.5 (lr 0.1, β = (0.5, 0.999), ε = 1e-8), with
  // m̂ = m/(1 − 0.5^t), v̂ = v/(1 − 0.999^t): step 1 moves by 0.1/(1 + 1e-8), step 2 by
  // −0.1/sqrt(0.004999/0.001999), step 3 by 0.1·(−0.125/0.875)/sqrt(0.005244001/0.002997001).
  const double g[3] = {1.0, -2.0, 0.5};
  const double want[3] = {0.09999999900000002, 0.036763935639143486, 0.025964177794614806};
  const double m[3] = {0.5, -0.75, -0.125};
  const double v[3] = {0.001, 0.004999, 0.005244001};
  for (int t = 0; t < 3; ++t) {
    adam_ascent_step(&theta, &g[t], 1, s, 0.1, 0.5, 0.999, 1e-8);
    CHECK(s.t == t + 1);
    CHECK(theta == doctest::Approx(want[t]).epsilon(1e-14));
    CHECK(s.m[0] == doctest::Approx(m[t]).epsilon(1e-14));
    CHECK(s.v[0] == doctest::Approx(v[t]).epsilon(1e-12));
  }
}

TEST_CASE("ppo: LR warm-up 0.1·(1/8 + 7/8·min(u,10)/10)") {
  CHECK(ppo_lr(0, 0.1, 10) == doctest::Approx(0.0125).epsilon(1e-15));
  CHECK(ppo_lr(1, 0.1, 10) == doctest::Approx(0.02125).epsilon(1e-15));
  CHECK(ppo_lr(5, 0.1, 10) == doctest::Approx(0.05625).epsilon(1e-15));
  CHECK(ppo_lr(10, 0.1, 10) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(ppo_lr(500, 0.1, 10) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(ppo_lr(3, 0.2, 10) == doctest::Approx(0.2 * (0.125 + 0.875 * 0.3)).epsilon(1e-15));
  PpoConfig cfg;
  cfg.pairs = 2;
  Controller c(cfg);
  for (int u = 0; u < 12; ++u) CHECK(c.update({traj(0, u, {1, 1})}).lr == doctest::Approx(ppo_lr(u, 0.1, 10)));
}

TEST_CASE("ppo: the update stops after the step whose KL crosses 0.002, and keeps that step") {
  // Replays one update by hand with the free functions and compares θ bit for bit, for both
  // parameterizations (16 = 4² pairs). A step's KL grows with the LR²: lr_max 0.04 (flat) or 0.025
  // (factored, whose θ₁ moves 4 pairs at once: 0.04 crosses in its first step) crosses after a few
  // steps, a tenth of that never does.
  for (Parameterization pz : {Parameterization::flat, Parameterization::factored}) {
    const std::vector<double> lrs = pz == Parameterization::flat ? std::vector<double>{0.04, 0.004}
                                                                 : std::vector<double>{0.025, 0.0025};
    for (double lr_max : lrs) {
      const int tn = ppo_theta_size(pz, 16);
      PpoConfig cfg;
      cfg.pairs = 16;
      cfg.lr_max = lr_max;
      cfg.parameterization = pz;
      Controller c(cfg);
      std::vector<int64_t> counts(16, 0);
      counts[3] = 5;
      counts[7] = 1;
      c.update({traj(0, 50, counts)});
      for (int u = 0; u < 10; ++u) c.update({traj(0, 50, std::vector<int64_t>(16, 1))});  // warm the LR
      const std::vector<double> theta0 = c.theta();
      AdamState adam = c.adam();
      const double reward = 70;
      const double b = 0.9 * c.baselines()[0] + 0.1 * reward;
      std::vector<std::vector<double>> adv{ppo_pair_advantages(0.5 * (reward - b), counts)};
      std::vector<double> theta = theta0, p_old(16), p_new(16), grad(tn);
      ppo_probs(pz, theta.data(), 16, p_old.data());
      int steps = 0;
      std::vector<double> kls;
      for (int s = 0; s < 5; ++s) {
        ppo_surrogate(pz, theta.data(), p_old.data(), adv, 16, 0.2, grad.data());
        adam_ascent_step(theta.data(), grad.data(), tn, adam, lr_max, 0.5, 0.999, 1e-8);
        ppo_probs(pz, theta.data(), 16, p_new.data());
        kls.push_back(ppo_kl(p_old.data(), p_new.data(), 16));
        steps = s + 1;
        if (kls.back() > 0.002) break;
      }
      PpoUpdateStats st = c.update({traj(0, reward, counts)});
      const std::string name = parameterization_name(pz);
      INFO(name, " lr_max ", lr_max, " steps ", steps, " KL after the first step ", kls[0], ", after the last ",
           kls.back());
      CHECK(st.lr == lr_max);
      CHECK(st.steps == steps);
      CHECK(st.kl == kls.back());
      CHECK(c.theta() == theta);
      CHECK(c.adam() == adam);
      if (lr_max > 0.01) {
        MESSAGE(name, ": ", steps, " steps, KL after the first ", kls[0], ", after the last ", kls.back());
        CHECK(steps >= 2);  // a real early stop: some steps under the limit, then the crossing one
        CHECK(steps < 5);
        CHECK(st.kl > 0.002);
        for (size_t i = 0; i + 1 < kls.size(); ++i) CHECK(kls[i] <= 0.002);
      } else {
        CHECK(steps == 5);
        CHECK(st.kl <= 0.002);
        CHECK(st.kl > 0);
      }
    }
  }
  // KL itself: p_old = (0.5, 0.5), p_new = (0.25, 0.75)
  const double po[2] = {0.5, 0.5}, pn[2] = {0.25, 0.75};
  CHECK(ppo_kl(po, pn, 2) == doctest::Approx(0.5 * std::log(2.0) + 0.5 * std::log(0.5 / 0.75)));
}

TEST_CASE("ppo: best θ is the θ that sampled the highest reward, before that loop's update") {
  PpoConfig cfg;
  cfg.pairs = 5;
  Controller c(cfg);
  CHECK(!c.has_best());
  const double R[6] = {50, 60, 40, 70, 70, 65};
  std::vector<double> theta_at_70;
  for (int u = 0; u < 6; ++u) {
    if (u == 3) theta_at_70 = c.theta();
    PpoUpdateStats st = c.update({traj(0, R[u], {u % 5 == 0, 1, u % 2, 0, 3})});
    CHECK(st.new_best == (u == 0 || u == 1 || u == 3));
  }
  CHECK(c.best_reward() == 70);
  CHECK(c.best_update() == 3);  // the tie at u = 4 keeps the first
  CHECK(c.best_theta() == theta_at_70);
  CHECK(c.best_theta() != c.theta());
  std::vector<double> p = c.best_probs();
  double sum = 0;
  for (double v : p) sum += v;
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-15));
}

TEST_CASE("ppo: with K > 1 best θ is chosen by the loop's mean reward, not its best trajectory") {
  PpoConfig cfg;
  cfg.pairs = 4;
  cfg.slots = 2;
  Controller c(cfg);
  // Loop means 55, 52.5, 60, 60: loop 1 holds the highest single reward (90) but not the best mean.
  const double R[4][2] = {{50, 60}, {90, 15}, {58, 62}, {60, 60}};
  std::vector<double> theta_at_2;
  for (int u = 0; u < 4; ++u) {
    if (u == 2) theta_at_2 = c.theta();
    PpoUpdateStats st = c.update({traj(0, R[u][0], {1, 2, 0, 1}), traj(1, R[u][1], {0, 1, 3, 0})});
    CHECK(st.mean_reward == (R[u][0] + R[u][1]) / 2);
    CHECK(st.new_best == (u == 0 || u == 2));
  }
  CHECK(c.best_reward() == 60);
  CHECK(c.best_update() == 2);  // the tie at u = 3 keeps the first
  CHECK(c.best_theta() == theta_at_2);
}

TEST_CASE("ppo: controller state serializes to bytes and back exactly; bad bytes are rejected") {
  for (Parameterization pz : {Parameterization::flat, Parameterization::factored, Parameterization::product}) {
    INFO(std::string(parameterization_name(pz)));
    PpoConfig cfg;
    cfg.slots = 2;
    cfg.parameterization = pz;
    Controller c(cfg);
    std::mt19937_64 rng(5);
    auto random_traj = [&](int slot) {
      std::vector<int64_t> counts(1296);
      for (auto& v : counts) v = int64_t(rng() % 3);
      return traj(slot, double(rng() % 1000) / 10.0, counts);
    };
    for (int u = 0; u < 7; ++u) c.update({random_traj(0), random_traj(1)});
    std::vector<uint8_t> bytes = c.serialize();
    Controller d = Controller::deserialize(bytes);
    CHECK(d == c);
    CHECK(d.config().parameterization == pz);
    CHECK(d.theta().size() == size_t(ppo_theta_size(pz, 1296)));
    CHECK(ppo_theta_size(pz, 1296) == (pz == Parameterization::flat ? 1296 : pz == Parameterization::factored ? 1332 : 36));
    CHECK(d.best_theta().size() == d.theta().size());
    CHECK(d.adam().m.size() == d.theta().size());
    CHECK(d.serialize() == bytes);
    // Both continue identically (resume is bit-exact).
    std::vector<Trajectory> next{random_traj(0), random_traj(1)};
    c.update(next);
    d.update(next);
    CHECK(d.serialize() == c.serialize());
    // A fresh controller round-trips too (no best θ yet).
    Controller fresh(cfg);
    CHECK(Controller::deserialize(fresh.serialize()) == fresh);

    auto rejects = [](std::vector<uint8_t> b, const char* what) {
      INFO(what);
      try {
        Controller::deserialize(b, "run/controller.bin");
        FAIL("accepted");
      } catch (const UserError& e) {
        CHECK(std::string(e.what()).find("run/controller.bin") == 0);
      }
    };
    std::vector<uint8_t> flipped = bytes;
    flipped[bytes.size() / 2] ^= 1;
    rejects(flipped, "a flipped bit");
    rejects(std::vector<uint8_t>(bytes.begin(), bytes.end() - 9), "truncated");
    rejects(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10), "very short");
    rejects({}, "empty");
    std::vector<uint8_t> magic = bytes;
    magic[0] = 'X';
    rejects(magic, "bad magic");
  }
}

TEST_CASE("ppo: bad configurations are rejected") {
  PpoConfig cfg;
  cfg.slots = 0;
  CHECK_THROWS_AS(Controller{cfg}, UserError);
  cfg = {};
  cfg.clip = 0;
  CHECK_THROWS_AS(Controller{cfg}, UserError);
  cfg = {};
  cfg.max_steps = 0;
  CHECK_THROWS_AS(Controller{cfg}, UserError);
  cfg = {};
  cfg.parameterization = Parameterization::factored;
  cfg.pairs = 1295;
  try {
    Controller{cfg};
    FAIL("accepted a factored controller over 1295 pairs");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) == "ppo config: the factored controller needs pairs = E² (got 1295)");
  }
  cfg.pairs = 16;
  CHECK(Controller{cfg}.theta().size() == 20);
}

namespace {

// Pair counts of `draws` samples from p with the counter-based generator (inverse CDF in double).
std::vector<int64_t> sample_counts(const std::vector<double>& p, uint64_t seed, uint32_t loop, uint32_t slot,
                                   int draws) {
  std::vector<double> cdf(p.size());
  double acc = 0;
  for (size_t k = 0; k < p.size(); ++k) cdf[k] = (acc += p[k]);
  std::vector<int64_t> counts(p.size(), 0);
  const uint64_t key = rng_stream(RngKey{seed, 2, loop, slot, 0, 0});
  for (int i = 0; i < draws; ++i) {
    Rand4 r = philox4x32(key, uint32_t(i), 0);
    const double u = rand_unit_double(r.v[0], r.v[1]) * acc;
    size_t k = size_t(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    counts[std::min(k, p.size() - 1)]++;
  }
  return counts;
}

// The synthetic search: each pair has a fixed "accuracy" score, 100 for the 10 rewarded pairs and
// uniform in [0, other_max] for the rest; a trajectory's reward is the mean score of its `draws`
// sampled pairs. Returns the number of updates after which the rewarded pairs hold >= 50% of the
// mass, or -1 if that does not happen within max_updates.
int synthetic_search(uint64_t seed, int slots, int draws, double other_max, int max_updates) {
  PpoConfig cfg;
  cfg.slots = slots;
  Controller c(cfg);
  std::mt19937_64 pick(seed);
  std::uniform_real_distribution<double> U(0.0, other_max);
  std::vector<double> score(1296);
  for (double& v : score) v = U(pick);
  std::vector<int> rewarded;
  while (rewarded.size() < 10) {
    int k = int(pick() % 1296);
    if (std::find(rewarded.begin(), rewarded.end(), k) == rewarded.end()) rewarded.push_back(k);
  }
  for (int k : rewarded) score[size_t(k)] = 100.0;
  for (int u = 0; u < max_updates; ++u) {
    std::vector<double> p = c.probs();
    std::vector<Trajectory> trajs;
    for (int s = 0; s < slots; ++s) {
      std::vector<int64_t> counts = sample_counts(p, seed, uint32_t(u), uint32_t(s), draws);
      double total = 0;
      for (size_t k = 0; k < counts.size(); ++k) total += double(counts[k]) * score[k];
      trajs.push_back(traj(s, total / draws, std::move(counts)));
    }
    c.update(trajs);
    p = c.probs();
    double mass = 0;
    for (int k : rewarded) mass += p[size_t(k)];
    if (mass >= 0.5) return u + 1;
  }
  return -1;
}

}  // namespace

// Measured (seeds 31-35): K = 8, 100 draws: 646-745 updates; K = 1, 1000 draws: 1838-2596 loops.
// The normalized sigmoid needs the other 1286 θ near −5 before 10 pairs can hold half the mass,
// and a count-weighted advantage moves each of them only by REINFORCE noise-limited drift with
// KL-limited steps, so a few hundred loops is the scale, not tens. A reward that only counts hits
// on the rewarded set (score 0 elsewhere) is much slower still at K = 1 (about 2-5% of the mass
// after 3000 loops).
TEST_CASE("ppo: synthetic search moves >= 50% of the mass onto 10 rewarded pairs") {
  const uint64_t seed = test::test_seed(31);
  for (uint64_t s : {seed, seed + 1}) {
    INFO("seed ", s);
    const int updates = synthetic_search(s, 8, 100, 50.0, 900);
    MESSAGE("seed ", s, ": K = 8: the rewarded pairs hold 50% of the mass after ", updates, " updates");
    CHECK(updates > 0);
  }
  INFO("seed ", seed);
  const int loops = synthetic_search(seed, 1, 1000, 50.0, 3000);
  MESSAGE("seed ", seed, ": K = 1: after ", loops, " loops");
  CHECK(loops > 0);
}

TEST_CASE("ppo: the leave-one-out baseline is the mean of the update's other rewards") {
  PpoConfig cfg;
  cfg.slots = 3;
  cfg.baseline = BaselineKind::leave_one_out;
  Controller c(cfg);
  std::vector<Trajectory> t(3);
  const double r[3] = {10.0, 13.0, 16.0};
  for (int i = 0; i < 3; ++i) {
    t[size_t(i)].slot = i;
    t[size_t(i)].reward = r[i];
    t[size_t(i)].counts.assign(1296, 0);
    t[size_t(i)].counts[size_t(i)] = 8;
  }
  PpoUpdateStats st = c.update(t);
  REQUIRE(st.baselines.size() == 3);
  CHECK(st.baselines[0] == 14.5);  // (13 + 16) / 2
  CHECK(st.baselines[1] == 13.0);
  CHECK(st.baselines[2] == 11.5);
  CHECK(st.advantages[0] == 0.5 * (10.0 - 14.5));
  CHECK(st.advantages[2] == 0.5 * (16.0 - 11.5));
  // Already the first update moves θ (the EMA's first advantage is 0): pair 2 up, pair 0 down.
  const std::vector<double> p = c.probs();
  CHECK(p[2] > 1.0 / 1296);
  CHECK(p[0] < 1.0 / 1296);
  // The signal-to-noise figure of K >= 2 updates is finite and positive.
  CHECK(std::isfinite(st.grad_snr));
  CHECK(st.grad_snr > 0);
}

TEST_CASE("ppo: a checksum-valid controller state with a NaN θ is refused, naming the field") {
  Controller c;
  std::vector<uint8_t> b = c.serialize();
  // θ is the last 1296 doubles before the 8-byte XXH3 checksum: poison one, then re-seal.
  const double nan = std::nan("");
  std::memcpy(b.data() + b.size() - 8 - 8 * 5, &nan, 8);
  const uint64_t h = XXH3_64bits(b.data(), b.size() - 8);
  std::memcpy(b.data() + b.size() - 8, &h, 8);
  try {
    Controller::deserialize(b, "controller.ckpt");
    FAIL("a NaN θ was accepted");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("controller.ckpt: field \"theta\" entry 1291") == 0);
  }
}
