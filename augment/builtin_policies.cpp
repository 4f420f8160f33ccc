// The built-in policies. AutoAugment, RandAugment and TrivialAugment are mapped onto our 36 elements
// plus the identity letter (alphabet 37); docs/AUGMENT.md lists what maps exactly and what does not.
#include "augment/builtin_policies.h"

#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "augment/elements.h"
#include "augment/policy_json.h"
#include "core/error.h"

namespace aws {

namespace {

const char* elem_name(int i) { return element_info(i).name; }

constexpr int kLetters = kElements + 1;

int element_by_name(const std::string& name) {
  for (int i = 0; i < kElements; ++i)
    if (name == elem_name(i)) return i;
  AWS_ASSERT(false, "no element named " + name);
  return -1;
}

// Our letter for torchvision op `op` at our magnitude level 0 (identity), 3, 6 or 9 of 10 bins.
int letter(const std::string& op, int level) {
  if (op == "Identity") return kIdentity;
  if (op == "AutoContrast" || op == "Equalize" || op == "Invert") return element_by_name(op);
  if (level == 0) return kIdentity;  // magnitude 0: every magnitude op is the identity there
  AWS_ASSERT(level == 3 || level == 6 || level == 9, "magnitude level must be 0, 3, 6 or 9");
  const int l = level / 3 - 1;
  static const char* enhance[] = {"0.3", "0.6", "0.9"};
  if (op == "Brightness" || op == "Color" || op == "Contrast" || op == "Sharpness")
    return element_by_name(op + "_mag" + enhance[l]);
  static const char* rotate[] = {"10", "20", "30"};
  static const char* shear[] = {"0.1", "0.2", "0.3"};
  static const char* translate[] = {"0.151", "0.302", "0.453"};
  static const char* posterize[] = {"7", "5", "4"};
  static const char* solarize[] = {"171", "85.3", "0"};
  if (op == "Rotate") return element_by_name(op + "_mag" + rotate[l]);
  if (op == "ShearX" || op == "ShearY") return element_by_name(op + "_mag" + shear[l]);
  if (op == "TranslateX" || op == "TranslateY") return element_by_name(op + "_mag" + translate[l]);
  if (op == "Posterize") return element_by_name(op + "_mag" + posterize[l]);
  if (op == "Solarize") return element_by_name(op + "_mag" + solarize[l]);
  AWS_ASSERT(false, "unknown op " + op);
  return -1;
}

Policy make(const std::string& name, BaseAug base, int alphabet) {
  Policy p;
  p.name = name;
  p.base = base;
  p.alphabet = alphabet;
  if (alphabet) p.probs.assign(size_t(alphabet) * alphabet, 0.0);
  p.source_json = "{\"builtin\":\"" + name + "\"}";
  return p;
}

// torchvision 0.14 AutoAugmentPolicy.CIFAR10: (op, probability, magnitude bin of 10 or -1).
struct SubOp {
  const char* op;
  double prob;
  int mag;
};
const SubOp kAutoAugmentCifar10[25][2] = {
    {{"Invert", 0.1, -1}, {"Contrast", 0.2, 6}},      {{"Rotate", 0.7, 2}, {"TranslateX", 0.3, 9}},
    {{"Sharpness", 0.8, 1}, {"Sharpness", 0.9, 3}},   {{"ShearY", 0.5, 8}, {"TranslateY", 0.7, 9}},
    {{"AutoContrast", 0.5, -1}, {"Equalize", 0.9, -1}}, {{"ShearY", 0.2, 7}, {"Posterize", 0.3, 7}},
    {{"Color", 0.4, 3}, {"Brightness", 0.6, 7}},      {{"Sharpness", 0.3, 9}, {"Brightness", 0.7, 9}},
    {{"Equalize", 0.6, -1}, {"Equalize", 0.5, -1}},   {{"Contrast", 0.6, 7}, {"Sharpness", 0.6, 5}},
    {{"Color", 0.7, 7}, {"TranslateX", 0.5, 8}},      {{"Equalize", 0.3, -1}, {"AutoContrast", 0.4, -1}},
    {{"TranslateY", 0.4, 3}, {"Sharpness", 0.2, 6}},  {{"Brightness", 0.9, 6}, {"Color", 0.2, 8}},
    {{"Solarize", 0.5, 2}, {"Invert", 0.0, -1}},      {{"Equalize", 0.2, -1}, {"AutoContrast", 0.6, -1}},
    {{"Equalize", 0.2, -1}, {"Equalize", 0.6, -1}},   {{"Color", 0.9, 9}, {"Equalize", 0.6, -1}},
    {{"AutoContrast", 0.8, -1}, {"Solarize", 0.2, 8}}, {{"Brightness", 0.1, 3}, {"Color", 0.7, 0}},
    {{"Solarize", 0.4, 5}, {"AutoContrast", 0.9, -1}}, {{"TranslateY", 0.9, 9}, {"TranslateY", 0.7, 9}},
    {{"AutoContrast", 0.9, -1}, {"Solarize", 0.8, 3}}, {{"Equalize", 0.8, -1}, {"Invert", 0.1, -1}},
    {{"TranslateY", 0.7, 9}, {"AutoContrast", 0.9, -1}},
};

// A magnitude bin of 10 (0..9) snapped to the nearest of our levels 0 (identity), 3, 6, 9.
int snap10(int m) { return m < 0 ? 0 : 3 * ((m + 1) / 3); }

Policy autoaugment_cifar10() {
  Policy p = make("autoaugment-cifar10", BaseAug{4, true, 16}, kLetters);
  for (const auto& sub : kAutoAugmentCifar10) {
    int a = letter(sub[0].op, snap10(sub[0].mag)), b = letter(sub[1].op, snap10(sub[1].mag));
    double pa = sub[0].prob, pb = sub[1].prob, w = 1.0 / 25.0;
    p.probs[size_t(a * kLetters + b)] += w * pa * pb;
    p.probs[size_t(a * kLetters + kIdentity)] += w * pa * (1 - pb);
    p.probs[size_t(kIdentity * kLetters + b)] += w * (1 - pa) * pb;
    p.probs[size_t(kIdentity * kLetters + kIdentity)] += w * (1 - pa) * (1 - pb);
  }
  return p;
}

const char* kRandOps[14] = {"Identity",  "ShearX",   "ShearY",    "TranslateX", "TranslateY",
                            "Rotate",    "Brightness", "Color",   "Contrast",   "Sharpness",
                            "Posterize", "Solarize", "AutoContrast", "Equalize"};

// Probability of each letter in one op slot; then N slots are independent (N = 1: second is identity).
Policy from_slot(const std::string& name, const std::vector<double>& q, int n) {
  Policy p = make(name, BaseAug{4, true, 16}, kLetters);
  for (int a = 0; a < kLetters; ++a)
    for (int b = 0; b < kLetters; ++b) {
      double qa = n >= 1 ? q[size_t(a)] : double(a == kIdentity);
      double qb = n >= 2 ? q[size_t(b)] : double(b == kIdentity);
      p.probs[size_t(a * kLetters + b)] = qa * qb;
    }
  return p;
}

Policy trivialaugment() {
  std::vector<double> q(kLetters, 0.0);
  for (const char* op : kRandOps) {
    std::string o = op;
    if (o == "Identity" || o == "AutoContrast" || o == "Equalize") q[size_t(letter(o, 0))] += 1.0 / 14;
    else
      for (int level : {3, 6, 9}) q[size_t(letter(o, level))] += 1.0 / 14 / 3;
  }
  return from_slot("trivialaugment", q, 1);
}

bool parse_randaugment(const std::string& name, int& n, int& m) {
  if (name == "randaugment") {
    n = 2, m = 9;
    return true;
  }
  char tail = 0;
  return std::sscanf(name.c_str(), "randaugment-%d-%d%c", &n, &m, &tail) == 2;
}

}  // namespace

Policy randaugment_policy(int n, int m) {
  const std::string name = "randaugment-" + std::to_string(n) + "-" + std::to_string(m);
  if (n < 1 || n > 2) throw UserError("policy " + name + ": RandAugment N must be 1 or 2 (a pair-op applies two ops)");
  if (m < 0 || m > 30) throw UserError("policy " + name + ": RandAugment M must be in [0, 30]");
  // M of 31 bins → the nearest of our levels: M 0..4 → identity, 5..14 → 3, 15..24 → 6, 25..30 → 9.
  const int level = 3 * std::min(3, (m + 5) / 10);
  std::vector<double> q(kLetters, 0.0);
  for (const char* op : kRandOps) q[size_t(letter(op, level))] += 1.0 / 14;
  return from_slot(name, q, n);
}

std::vector<std::string> builtin_policy_names() {
  return {"none", "crop-flip", "cutout", "uniform", "autoaugment-cifar10", "randaugment", "randaugment-N-M",
          "trivialaugment"};
}

bool is_builtin_policy(const std::string& name) {
  int n, m;
  return name == "none" || name == "crop-flip" || name == "cutout" || name == "uniform" ||
         name == "autoaugment-cifar10" || name == "trivialaugment" || parse_randaugment(name, n, m);
}

Policy builtin_policy(const std::string& name) {
  int n = 0, m = 0;
  if (name == "none") return make(name, BaseAug{0, false, 0}, 0);
  if (name == "crop-flip") return make(name, BaseAug{4, true, 0}, 0);
  if (name == "cutout") return make(name, BaseAug{4, true, 16}, 0);
  if (name == "uniform") {
    Policy p = make(name, BaseAug{4, true, 16}, kElements);
    p.probs.assign(kPairs, 1.0 / kPairs);
    return p;
  }
  if (name == "autoaugment-cifar10") return autoaugment_cifar10();
  if (name == "trivialaugment") return trivialaugment();
  if (parse_randaugment(name, n, m)) return randaugment_policy(n, m);
  std::string all;
  for (const auto& s : builtin_policy_names()) all += (all.empty() ? "" : ", ") + s;
  throw UserError("--policy " + name + ": unknown built-in policy (built-ins: " + all + ")");
}

Policy load_policy(const std::string& name_or_file) {
  if (is_builtin_policy(name_or_file)) return builtin_policy(name_or_file);
  struct stat st;
  if (::stat(name_or_file.c_str(), &st) != 0) {
    std::string all;
    for (const auto& s : builtin_policy_names()) all += (all.empty() ? "" : ", ") + s;
    throw UserError("--policy " + name_or_file + ": neither a built-in policy (" + all + ") nor a readable file");
  }
  return read_policy_json(name_or_file);
}

}  // namespace aws
