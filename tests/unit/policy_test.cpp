// Policies: the sampling table (exact on small cases, empirical frequencies within stated bounds),
// built-ins, entropy/top-k, and the policy file: round trip and every strict-reading error.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "kernels/augment_image_ops.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "tests/support/oracle.h"

using namespace aws;
using aws::test::test_seed;

namespace {

// Draws `n` pairs from `p` through the pass's own draw function (slot kSlotPair, image index i).
std::vector<int64_t> draw_counts(const Policy& p, int n, uint64_t seed) {
  AugmentParams ap;
  ap.h = ap.w = 32, ap.c = 3, ap.alphabet = p.alphabet;
  auto cdf = make_cdf(p.probs);
  std::vector<int64_t> counts(p.probs.size(), 0);
  const uint64_t stream = rng_stream(RngKey{seed, 1, 2, 0, 3, 0});
  for (int i = 0; i < n; ++i) {
    ImageDraws d = draw_image(ap, cdf.data(), stream, uint32_t(i));
    counts[size_t(d.op1 * p.alphabet + d.op2)] += 1;
  }
  return counts;
}

// Pearson chi-square of counts against probs (cells with p = 0 must have count 0).
double chi_square(const std::vector<int64_t>& counts, const std::vector<double>& probs, int n, int& df) {
  double x2 = 0;
  df = -1;
  for (size_t k = 0; k < probs.size(); ++k) {
    if (probs[k] == 0) {
      REQUIRE(counts[k] == 0);
      continue;
    }
    double e = probs[k] * n;
    x2 += (counts[k] - e) * (counts[k] - e) / e;
    ++df;
  }
  return x2;
}

std::string uniform_text() { return policy_to_json(builtin_policy("uniform")); }

void expect_error(const std::string& text, const std::string& want) {
  INFO("expected error containing: ", want);
  try {
    parse_policy_json(text, "policy.json");
    FAIL("no error for: " << want);
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find(want) != std::string::npos);
    INFO("got: ", e.what());
    CHECK(std::string(e.what()).rfind("policy.json: ", 0) == 0);
  }
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("policy: cdf sampling is exact on a small table and never draws a zero-probability pair") {
  auto cdf = make_cdf({0.25, 0.0, 0.75, 0.0});
  CHECK(cdf[0] == (1ull << 30));
  CHECK(cdf[1] == (1ull << 30));
  CHECK(cdf[3] == (1ull << 32));
  CHECK(sample_cdf(cdf.data(), 4, 0) == 0);
  CHECK(sample_cdf(cdf.data(), 4, (1u << 30) - 1) == 0);
  CHECK(sample_cdf(cdf.data(), 4, 1u << 30) == 2);
  CHECK(sample_cdf(cdf.data(), 4, 0xFFFFFFFFu) == 2);
}

TEST_CASE("policy: the uniform policy is uniform (chi-square, 1295 df, bound mean + 6 sd)") {
  const uint64_t seed = test_seed(11);
  INFO("seed ", seed);
  Policy u = builtin_policy("uniform");
  const int n = 1296 * 200;
  auto counts = draw_counts(u, n, seed);
  int df = 0;
  double x2 = chi_square(counts, u.probs, n, df);
  CHECK(df == 1295);
  INFO("chi2 ", x2);
  CHECK(x2 < df + 6 * std::sqrt(2.0 * df));
  CHECK(x2 > df - 6 * std::sqrt(2.0 * df));  // too good a fit would mean the draws are not random
}

TEST_CASE("policy: empirical pair frequencies match a skewed policy (chi-square) and AutoAugment (binomial 6 sd)") {
  const uint64_t seed = test_seed(12);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  Policy p = builtin_policy("uniform");
  double s = 0;
  for (auto& v : p.probs) s += (v = std::pow(U(rng), 3) + 0.01);
  for (auto& v : p.probs) v /= s;
  const int n = 400000;
  auto counts = draw_counts(p, n, seed);
  int df = 0;
  double x2 = chi_square(counts, p.probs, n, df);
  INFO("chi2 ", x2, " df ", df);
  CHECK(x2 < df + 6 * std::sqrt(2.0 * df));

  Policy aa = builtin_policy("autoaugment-cifar10");
  auto c2 = draw_counts(aa, n, seed + 1);
  for (size_t k = 0; k < aa.probs.size(); ++k) {
    double e = aa.probs[k] * n, sd = std::sqrt(e * (1 - aa.probs[k]));
    INFO("pair ", k, " count ", c2[k], " expected ", e);
    CHECK(std::fabs(double(c2[k]) - e) <= 6 * sd + 1);
  }
}

TEST_CASE("policy: same keys give the same draws; another epoch or copy gives other draws") {
  Policy p = builtin_policy("uniform");
  AugmentParams ap;
  ap.h = ap.w = 32, ap.c = 3, ap.crop_pad = 4, ap.flip = true, ap.cutout = 16, ap.alphabet = 36;
  auto cdf = make_cdf(p.probs);
  RngKey k{7, 1, 0, 0, 5, 0}, k2 = k, k3 = k;
  k2.epoch = 6;
  k3.copy = 1;
  int same_epoch = 0, same_copy = 0;
  for (uint32_t i = 0; i < 200; ++i) {
    ImageDraws a = draw_image(ap, cdf.data(), rng_stream(k), i), b = draw_image(ap, cdf.data(), rng_stream(k), i);
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
    same_epoch += draw_image(ap, cdf.data(), rng_stream(k2), i).pair == a.pair;
    same_copy += draw_image(ap, cdf.data(), rng_stream(k3), i).pair == a.pair;
    CHECK((a.crop_x >= 0 && a.crop_x <= 8 && a.crop_y >= 0 && a.crop_y <= 8));
    CHECK((a.cut_x >= 0 && a.cut_x < 32 && a.cut_y >= 0 && a.cut_y < 32));
    CHECK(a.pair == a.op1 * 36 + a.op2);
  }
  CHECK(same_epoch < 5);  // 200 draws from 1296 pairs: about 0.15 coincidences expected
  CHECK(same_copy < 5);
}

TEST_CASE("policy: entropy and top-k") {
  Policy u = builtin_policy("uniform");
  CHECK(policy_entropy(u.probs) == doctest::Approx(std::log(1296.0)).epsilon(1e-12));
  CHECK(policy_entropy(std::vector<double>{1.0, 0.0}) == 0.0);
  auto top = policy_top({0.1, 0.4, 0.1, 0.4}, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].first == 1);
  CHECK(top[1].first == 3);
  CHECK(top[2].first == 0);
}

TEST_CASE("policy: built-ins are distributions with the documented base and shapes") {
  for (const char* name : {"none", "crop-flip", "cutout"}) {
    Policy p = builtin_policy(name);
    CHECK(!p.has_pair_op());
  }
  CHECK(builtin_policy("none").base == BaseAug{0, false, 0});
  CHECK(builtin_policy("crop-flip").base == BaseAug{4, true, 0});
  CHECK(builtin_policy("cutout").base == BaseAug{4, true, 16});
  for (const char* name : {"uniform", "autoaugment-cifar10", "randaugment", "randaugment-1-5", "trivialaugment"}) {
    INFO(name);
    Policy p = builtin_policy(name);
    REQUIRE(p.has_pair_op());
    double s = 0;
    for (double v : p.probs) {
      s += v;
      CHECK(v >= 0);
    }
    CHECK(std::fabs(s - 1) < 1e-12);
    CHECK(p.base == BaseAug{4, true, 16});
  }
  // RandAugment(2, 9): 14 ops at level 3 (9 of 30 → nearest 10), two independent slots.
  Policy ra = builtin_policy("randaugment-2-9");
  CHECK(ra.alphabet == 37);
  const int id = kIdentity;
  CHECK(ra.probs[size_t(id * 37 + id)] == doctest::Approx(1.0 / 196));
  CHECK(ra.probs[size_t(element_index("Rotate_mag10") * 37 + element_index("Equalize"))] == doctest::Approx(1.0 / 196));
  CHECK(ra.probs[size_t(element_index("Invert") * 37 + id)] == 0.0);  // RandAugment has no Invert
  // TrivialAugment: one op, the second letter is always the identity.
  Policy ta = builtin_policy("trivialaugment");
  for (int a = 0; a < 37; ++a)
    for (int b = 0; b < 36; ++b) CHECK(ta.probs[size_t(a * 37 + b)] == 0.0);
  CHECK_THROWS_AS(builtin_policy("randaugment-3-9"), UserError);
  CHECK_THROWS_AS(builtin_policy("randaugment-2-31"), UserError);
  CHECK_THROWS_AS(load_policy("no-such-policy"), UserError);
  CHECK_THROWS_AS(policy_to_json(builtin_policy("trivialaugment")), UserError);
}

TEST_CASE("policy json: round trip is exact and byte-stable, keys sorted, 25 top pairs") {
  const uint64_t seed = test_seed(13);
  INFO("seed ", seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  Policy p = builtin_policy("uniform");
  double s = 0;
  for (auto& v : p.probs) s += (v = U(rng));
  for (auto& v : p.probs) v /= s;
  p.base = BaseAug{2, false, 8};
  p.source_json = R"({"loop":17,"reward":93.25,"seed":5,"theta":"best"})";
  std::string text = policy_to_json(p);
  Policy q = parse_policy_json(text, "policy.json");
  CHECK(q.alphabet == 36);
  CHECK(q.base == p.base);
  CHECK(q.probs == p.probs);  // doubles survive the text exactly
  CHECK(q.source_json == p.source_json);
  CHECK(policy_to_json(q) == text);
  CHECK(text.find("\"base\"") < text.find("\"elements\""));
  CHECK(text.find("\"elements\"") < text.find("\"format\""));
  CHECK(text.find("\"format\"") < text.find("\"probs\""));
  CHECK(text.find("\"source\"") < text.find("\"top\""));
  auto top = policy_top(p.probs, 25);
  auto j = text.find("\"top\"");
  CHECK(text.find("\"pair\": [\n        " + std::to_string(top[0].first / 36), j) != std::string::npos);
  // A policy without a pair-op has a file too, without probs and top.
  Policy c = parse_policy_json(policy_to_json(builtin_policy("cutout")), "c.json");
  CHECK(!c.has_pair_op());
  CHECK(c.base == BaseAug{4, true, 16});
}

TEST_CASE("policy json: strict reading names the file and the field") {
  const std::string t = uniform_text();
  expect_error(t.substr(0, t.size() / 2), "malformed JSON");
  expect_error("[]", "must be a JSON object");
  expect_error(replace_once(t, "\"format\"", "\"extra\": 1,\n  \"format\""), "extra: unknown key");
  expect_error(replace_once(t, "\"format\"", "\"version\": 1,\n  \"format\""), "version: duplicate key");
  expect_error(replace_once(t, "\"crop_pad\": 4", "\"crop_pad\": 4, \"crop_pad\": 4"), "base.crop_pad: duplicate key");
  expect_error(replace_once(t, "\"flip\": true", "\"flip\": true, \"flop\": 1"), "base.flop: unknown key");
  expect_error(replace_once(t, "\"flip\": true", "\"flip\": 1"), "base.flip: must be true or false");
  expect_error(replace_once(t, "\"cutout\": 16,", ""), "base.cutout: missing");
  expect_error(replace_once(t, "\"aws-policy\"", "\"other\""), "format: must be \"aws-policy\"");
  expect_error(replace_once(t, "\"version\": 1", "\"version\": 2"), "version: unsupported version 2");
  expect_error(replace_once(t, "\"AutoContrast\",", ""), "elements: expected 36 element names, got 35");
  expect_error(replace_once(t, "\"Brightness_mag0.3\"", "\"Brightness_mag0.4\""), "elements[1]: is \"Brightness_mag0.4\"");
  {
    std::string a = replace_once(t, "\"Brightness_mag0.3\",", "\"Brightness_mag0.6\",");
    a = replace_once(a, "\"Brightness_mag0.6\",\n    \"Brightness_mag0.9\"", "\"Brightness_mag0.3\",\n    \"Brightness_mag0.9\"");
    expect_error(a, "elements[1]");  // two names swapped: the order is checked, not just the set
  }
  // probs: count, type, sign, finiteness, sum.
  Policy u = builtin_policy("uniform");
  auto with_probs = [&](std::vector<double> pr, int edit, const std::string& lit) {
    std::string s = "{\"base\": {\"crop_pad\": 4, \"cutout\": 16, \"flip\": true}, \"elements\": [";
    for (int i = 0; i < 36; ++i) s += std::string(i ? ", " : "") + "\"" + element_info(i).name + "\"";
    s += "], \"format\": \"aws-policy\", \"probs\": [";
    for (size_t k = 0; k < pr.size(); ++k) {
      s += k ? ", " : "";
      if (int(k) == edit) s += lit;
      else {
        char b[40];
        std::snprintf(b, sizeof b, "%.17g", pr[k]);
        s += b;
      }
    }
    s += "]";
    if (edit < 0 && pr.size() == 1296) {  // the writer's top list (the reader requires it with probs)
      s += ", \"top\": [";
      auto top = policy_top(pr, kPolicyTopPairs);
      for (size_t t = 0; t < top.size(); ++t) {
        int a = top[t].first / 36, b = top[t].first % 36;
        char p[40];
        std::snprintf(p, sizeof p, "%.17g", top[t].second);
        s += std::string(t ? ", " : "") + "{\"names\": [\"" + element_info(a).name + "\", \"" + element_info(b).name +
             "\"], \"p\": " + p + ", \"pair\": [" + std::to_string(a) + ", " + std::to_string(b) + "]}";
      }
      s += "]";
    }
    return s + ", \"version\": 1}";
  };
  CHECK_NOTHROW(parse_policy_json(with_probs(u.probs, -1, ""), "policy.json"));
  expect_error(with_probs(std::vector<double>(1295, 1.0 / 1295), -1, ""), "probs: expected 1296 numbers, got 1295");
  expect_error(with_probs(u.probs, 17, "-0.1"), "probs[17]: negative probability -0.1");
  expect_error(with_probs(u.probs, 3, "\"x\""), "probs[3]: must be a number");
  expect_error(with_probs(u.probs, 5, "1e999"), "out of the double range");
  expect_error(with_probs(u.probs, 5, "NaN"), "malformed JSON");
  expect_error(with_probs(u.probs, 0, "0.0008"), "probs: sum is");  // 1/1296 = 0.000771…: sum off by 2.9e-5
  {
    auto pr = u.probs;
    pr[0] += 5e-7;  // within the stated 1e-6 tolerance
    CHECK_NOTHROW(parse_policy_json(with_probs(pr, -1, ""), "policy.json"));
    pr[0] += 1e-6;
    expect_error(with_probs(pr, -1, ""), "not 1 within 1e-6");
  }
  std::vector<double> nan(1296, 1.0 / 1296);
  nan[9] = std::nan("");
  CHECK_THROWS_WITH_AS(check_probs(nan, 1296, "p.json"), "p.json: probs[9]: not a finite number", UserError);
  // top: present when there are probs, exactly the writer's list (25 pairs, p descending, ties by index).
  {
    const nlohmann::json j = nlohmann::json::parse(t);
    nlohmann::json no_top = j, swapped = j, shorter = j;
    no_top.erase("top");
    expect_error(no_top.dump(2), "policy.json: top: missing");
    std::swap(swapped["top"][0], swapped["top"][1]);  // uniform: all p tie, so the order is by index
    expect_error(swapped.dump(2), "policy.json: top[0]: is not sorted as written: expected pair [0, 0]");
    shorter["top"].erase(shorter["top"].size() - 1);
    expect_error(shorter.dump(2), "policy.json: top: expected 25 entries (the most likely pairs), got 24");
  }
  // top: names must match the pair, p must match probs.
  expect_error(replace_once(t, "\"p\": 0.0007716049382716049", "\"p\": 0.5"), "top[0].p");
  {
    std::string a = t;
    auto pos = a.find("\"AutoContrast\"", a.find("\"names\""));
    REQUIRE(pos != std::string::npos);
    expect_error(a.replace(pos, 14, "\"Invert\""), "top[0].names");
  }
}

TEST_CASE("policy json: write_policy_json and load_policy read the same policy back") {
  std::string path = std::string(AWS_BINARY_DIR) + "/policy_test_rt.json";
  Policy u = builtin_policy("uniform");
  write_policy_json(path, u);
  Policy r = load_policy(path);
  CHECK(r.probs == u.probs);
  CHECK(r.base == u.base);
  CHECK(r.name == path);
}
