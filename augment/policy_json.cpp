// Policy file writer and strict reader (SPEC.md §13), with nlohmann-json. Duplicate keys are caught
// by a parser callback (nlohmann would silently keep the last one).
#include "augment/policy_json.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "augment/elements.h"
#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/read_file.h"

namespace aws {

using json = nlohmann::json;

namespace {

const char* elem_name(int i) { return element_info(i).name; }

[[noreturn]] void bad(const std::string& file, const std::string& field, const std::string& what) {
  throw UserError(file + ": " + field + ": " + what);
}

std::string num_str(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

json base_to_json(const BaseAug& b) {
  return json{{"crop_pad", b.crop_pad}, {"flip", b.flip}, {"cutout", b.cutout}};
}

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::set<std::string>& required,
                const std::string& file, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!allowed.count(it.key())) bad(file, where + it.key(), "unknown key");
  for (const auto& k : required)
    if (!obj.contains(k)) bad(file, where + k, "missing");
}

int get_int(const json& v, const std::string& file, const std::string& field, int lo, int hi) {
  if (!v.is_number_integer()) bad(file, field, "must be an integer");
  long long x = v.get<long long>();
  if (x < lo || x > hi) bad(file, field, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(x));
  return int(x);
}

BaseAug read_base(const json& b, const std::string& file) {
  if (!b.is_object()) bad(file, "base", "must be an object");
  check_keys(b, {"crop_pad", "flip", "cutout"}, {"crop_pad", "flip", "cutout"}, file, "base.");
  BaseAug r;
  r.crop_pad = get_int(b["crop_pad"], file, "base.crop_pad", 0, 64);
  if (!b["flip"].is_boolean()) bad(file, "base.flip", "must be true or false");
  r.flip = b["flip"].get<bool>();
  r.cutout = get_int(b["cutout"], file, "base.cutout", 0, 32);
  return r;
}

void read_top(const json& top, const std::vector<double>& probs, const std::string& file) {
  if (!top.is_array()) bad(file, "top", "must be an array");
  if (top.size() > size_t(kPolicyTopPairs)) bad(file, "top", "more than 25 entries");
  for (size_t t = 0; t < top.size(); ++t) {
    const std::string f = "top[" + std::to_string(t) + "]";
    const json& e = top[t];
    if (!e.is_object()) bad(file, f, "must be an object");
    check_keys(e, {"pair", "names", "p"}, {"pair", "names", "p"}, file, f + ".");
    if (!e["pair"].is_array() || e["pair"].size() != 2) bad(file, f + ".pair", "must be [i, j]");
    int i = get_int(e["pair"][0], file, f + ".pair[0]", 0, kElements - 1);
    int j = get_int(e["pair"][1], file, f + ".pair[1]", 0, kElements - 1);
    const json& n = e["names"];
    if (!n.is_array() || n.size() != 2 || !n[0].is_string() || !n[1].is_string() ||
        n[0].get<std::string>() != elem_name(i) || n[1].get<std::string>() != elem_name(j))
      bad(file, f + ".names", std::string("must be [\"") + elem_name(i) + "\", \"" + elem_name(j) + "\"]");
    if (!e["p"].is_number()) bad(file, f + ".p", "must be a number");
    if (probs.empty()) bad(file, f, "a policy without probs has no top pairs");
    double p = e["p"].get<double>(), want = probs[size_t(kElements * i + j)];
    if (!(std::fabs(p - want) <= 1e-12)) bad(file, f + ".p", num_str(p) + " differs from probs[" + std::to_string(kElements * i + j) + "] = " + num_str(want));
  }
  // The list must be the writer's: the kPolicyTopPairs most likely pairs in policy_top's order.
  if (probs.empty()) return;
  const auto expect = policy_top(probs, kPolicyTopPairs);
  if (top.size() != expect.size())
    bad(file, "top", "expected " + std::to_string(expect.size()) + " entries (the most likely pairs), got " + std::to_string(top.size()));
  for (size_t t = 0; t < expect.size(); ++t) {
    int k = kElements * top[t]["pair"][0].get<int>() + top[t]["pair"][1].get<int>();
    if (k != expect[t].first) {
      int a = expect[t].first / kElements, b = expect[t].first % kElements;
      bad(file, "top[" + std::to_string(t) + "]", "is not sorted as written: expected pair [" + std::to_string(a) + ", " +
          std::to_string(b) + "] (p = " + num_str(expect[t].second) + ", sorted by p descending, ties by pair index)");
    }
  }
}

}  // namespace

void check_probs(const std::vector<double>& probs, size_t want, const std::string& file) {
  if (probs.size() != want) bad(file, "probs", "expected " + std::to_string(want) + " numbers, got " + std::to_string(probs.size()));
  double sum = 0;
  for (size_t k = 0; k < probs.size(); ++k) {
    double p = probs[k];
    if (!std::isfinite(p)) bad(file, "probs[" + std::to_string(k) + "]", "not a finite number");
    if (p < 0) bad(file, "probs[" + std::to_string(k) + "]", "negative probability " + num_str(p));
    sum += p;
  }
  if (!(std::fabs(sum - 1.0) <= kProbSumTolerance))
    bad(file, "probs", "sum is " + num_str(sum) + ", not 1 within 1e-6");
}

std::string policy_to_json(const Policy& p) {
  if (p.alphabet != 0 && p.alphabet != kElements)
    throw UserError("policy " + p.name + ": a built-in rule with the identity letter has no policy file; name it instead");
  json j;
  j["format"] = "aws-policy";
  j["version"] = 1;
  json names = json::array();
  for (int i = 0; i < kElements; ++i) names.push_back(elem_name(i));
  j["elements"] = names;
  j["base"] = base_to_json(p.base);
  j["source"] = p.source_json.empty() ? json::object() : json::parse(p.source_json);
  if (p.alphabet == kElements) {
    j["probs"] = p.probs;
    json top = json::array();
    for (auto [k, pk] : policy_top(p.probs, kPolicyTopPairs)) {
      int a = k / kElements, b = k % kElements;
      top.push_back(json{{"pair", {a, b}}, {"names", {elem_name(a), elem_name(b)}}, {"p", pk}});
    }
    j["top"] = top;
  }
  return j.dump(2) + "\n";
}

void write_policy_json(const std::string& path, const Policy& p) {
  atomic_write_file(path, policy_to_json(p));
}

Policy parse_policy_json(const std::string& text, const std::string& file) {
  // Parser callback: one key set per open object, so a repeated key is reported before it is lost.
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> path;  // the key that opened each nested object, for messages
  std::string last_key;
  json j;
  try {
    j = json::parse(text, [&](int, json::parse_event_t ev, json& parsed) {
      if (ev == json::parse_event_t::object_start) {
        seen.emplace_back();
        path.push_back(last_key);
      } else if (ev == json::parse_event_t::object_end) {
        seen.pop_back();
        path.pop_back();
      } else if (ev == json::parse_event_t::key) {
        last_key = parsed.get<std::string>();
        if (!seen.back().insert(last_key).second) {
          std::string where;
          for (size_t d = 1; d < path.size(); ++d) where += path[d] + ".";
          bad(file, where + last_key, "duplicate key");
        }
      }
      return true;
    });
  } catch (const json::parse_error& e) {
    throw UserError(file + ": malformed JSON at byte " + std::to_string(e.byte) + " (truncated or not JSON)");
  } catch (const json::out_of_range&) {
    throw UserError(file + ": malformed JSON: a number is out of the double range");
  }
  if (!j.is_object()) bad(file, "(top level)", "must be a JSON object");
  check_keys(j, {"format", "version", "elements", "probs", "base", "top", "source"},
             {"format", "version", "elements", "base"}, file, "");
  if (!j["format"].is_string() || j["format"].get<std::string>() != "aws-policy")
    bad(file, "format", "must be \"aws-policy\"");
  if (!j["version"].is_number_integer() || j["version"].get<long long>() != 1)
    bad(file, "version", "unsupported version " + j["version"].dump() + " (this build reads version 1)");
  const json& el = j["elements"];
  if (!el.is_array() || el.size() != size_t(kElements))
    bad(file, "elements", "expected 36 element names, got " + (el.is_array() ? std::to_string(el.size()) : std::string("a ") + el.type_name()));
  for (int i = 0; i < kElements; ++i)
    if (!el[size_t(i)].is_string() || el[size_t(i)].get<std::string>() != elem_name(i))
      bad(file, "elements[" + std::to_string(i) + "]", "is " + el[size_t(i)].dump() + ", this build's element " + std::to_string(i) + " is \"" + elem_name(i) + "\"");

  Policy p;
  p.name = file;
  p.base = read_base(j["base"], file);
  if (j.contains("probs")) {
    const json& pr = j["probs"];
    if (!pr.is_array()) bad(file, "probs", "must be an array of 1296 numbers");
    if (pr.size() != size_t(kPairs)) bad(file, "probs", "expected 1296 numbers, got " + std::to_string(pr.size()));
    p.probs.resize(kPairs);
    for (int k = 0; k < kPairs; ++k) {
      if (!pr[size_t(k)].is_number()) bad(file, "probs[" + std::to_string(k) + "]", "must be a number, got " + pr[size_t(k)].dump());
      p.probs[size_t(k)] = pr[size_t(k)].get<double>();
    }
    check_probs(p.probs, kPairs, file);
    p.alphabet = kElements;
  }
  if (j.contains("top")) read_top(j["top"], p.probs, file);
  else if (!p.probs.empty()) bad(file, "top", "missing (a policy with probs lists its 25 most likely pairs)");
  if (j.contains("source")) {
    if (!j["source"].is_object()) bad(file, "source", "must be an object");
    p.source_json = j["source"].dump();
  } else {
    p.source_json = "{}";
  }
  return p;
}

Policy read_policy_json(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse_policy_json(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace aws
