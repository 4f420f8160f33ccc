// docs/AUGMENT.md's Python snippet (extracted from the doc, run as written) loads our policy.json
// as a torchvision transform: its outputs must equal our elements for the pair it picked, and its
// pair frequencies must follow the file. Also: the AutoAugment built-in against torchvision's own
// policy table, and `aws augment apply` against Pillow.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "augment/policy_json.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

namespace {

std::string doc_snippet() {
  std::ifstream f(std::string(AWS_SOURCE_DIR) + "/docs/AUGMENT.md");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  std::string doc = ss.str();
  auto a = doc.find("<!-- snippet:policy-transform -->");
  REQUIRE(a != std::string::npos);
  a = doc.find("```python\n", a);
  REQUIRE(a != std::string::npos);
  a += 10;
  auto b = doc.find("```", a);
  REQUIRE(b != std::string::npos);
  return doc.substr(a, b - a);
}

std::vector<uint8_t> low_contrast(int h, int w, int c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(size_t(h) * w * c);
  for (auto& x : v) x = uint8_t(60 + rng() % 90);
  return v;
}

std::string write_policy(const std::vector<std::pair<int, double>>& mass, const std::string& tag) {
  Policy p = builtin_policy("uniform");
  std::fill(p.probs.begin(), p.probs.end(), 0.0);
  for (auto [k, m] : mass) p.probs[size_t(k)] = m;
  std::string path = std::string(AWS_BINARY_DIR) + "/policy_tv_" + tag + ".json";
  write_policy_json(path, p);
  return path;
}

// Runs the snippet as a torchvision transform `reps` times on one image; returns [reps, h, w, c].
Array run_snippet(const std::string& policy_path, const std::vector<uint8_t>& img, int h, int w, int c, int reps) {
  std::string code = doc_snippet() + R"PY(
import torchvision.transforms as T
random.seed(1234)
a = I['img']
pil = Image.fromarray(a[:, :, 0], 'L') if a.shape[2] == 1 else Image.fromarray(a, 'RGB')
tf = T.Compose([AWSPolicy(POLICY), T.PILToTensor()])
O['out'] = np.stack([tf(pil).permute(1, 2, 0).numpy() for _ in range(int(I['reps'][0]))])
)PY";
  code = "POLICY = '" + policy_path + "'\n" + code;
  int32_t r = reps;
  Arrays res = run_python(code, {{"img", array_u8({h, w, c}, img.data())}, {"reps", array_i32({1}, &r)}});
  return res["out"];
}

// Index of the candidate equal to output `t`, or −1.
int match(const Array& out, int t, const std::vector<std::vector<uint8_t>>& cands) {
  const size_t n = cands[0].size();
  for (size_t k = 0; k < cands.size(); ++k)
    if (std::equal(cands[k].begin(), cands[k].end(), out.as<uint8_t>() + size_t(t) * n)) return int(k);
  return -1;
}

std::vector<uint8_t> apply_pair(int i, int si, int j, int sj, const std::vector<uint8_t>& src, int h, int w, int c) {
  std::vector<uint8_t> a(src.size()), b(src.size());
  apply_element(i, si, src.data(), a.data(), h, w, c);
  apply_element(j, sj, a.data(), b.data(), h, w, c);
  return b;
}

}  // namespace

TEST_CASE("policy snippet: a one-pair policy gives exactly our pair-op, with both signs drawn") {
  const uint64_t seed = test_seed(41);
  INFO("seed ", seed);
  for (int c : {3, 1}) {
    const int h = c == 3 ? 32 : 28, w = h;
    auto img = low_contrast(h, w, c, seed + c);
    const int i = element_index("Rotate_mag10"), j = element_index("TranslateX_mag0.453");
    std::string path = write_policy({{36 * i + j, 1.0}}, "one" + std::to_string(c));
    Array out = run_snippet(path, img, h, w, c, 40);
    std::vector<std::vector<uint8_t>> cands;
    for (int si : {1, -1})
      for (int sj : {1, -1}) cands.push_back(apply_pair(i, si, j, sj, img, h, w, c));
    std::vector<int> seen(4, 0);
    for (int t = 0; t < 40; ++t) {
      int m = match(out, t, cands);
      INFO("channels ", c, " output ", t);
      REQUIRE(m >= 0);
      seen[size_t(m)]++;
    }
    for (int s : seen) CHECK(s > 0);
  }
}

TEST_CASE("policy snippet: pair frequencies follow the file (binomial, 5 sd)") {
  const uint64_t seed = test_seed(42);
  INFO("seed ", seed);
  const int h = 32, w = 32, c = 3, reps = 2000;
  auto img = low_contrast(h, w, c, seed);
  const int inv = element_index("Invert"), ac = element_index("AutoContrast"), eq = element_index("Equalize"),
            po = element_index("Posterize_mag4");
  std::vector<std::pair<int, double>> mass{{36 * inv + ac, 0.5}, {36 * eq + po, 0.3}, {36 * po + po, 0.2}};
  Array out = run_snippet(write_policy(mass, "freq"), img, h, w, c, reps);
  std::vector<std::vector<uint8_t>> cands{apply_pair(inv, 1, ac, 1, img, h, w, c), apply_pair(eq, 1, po, 1, img, h, w, c),
                                          apply_pair(po, 1, po, 1, img, h, w, c)};
  std::vector<int> count(3, 0);
  for (int t = 0; t < reps; ++t) {
    int m = match(out, t, cands);
    REQUIRE(m >= 0);
    count[size_t(m)]++;
  }
  for (int k = 0; k < 3; ++k) {
    double p = mass[size_t(k)].second, e = p * reps, sd = std::sqrt(reps * p * (1 - p));
    INFO("pair ", k, " count ", count[size_t(k)], " expected ", e);
    CHECK(std::fabs(count[size_t(k)] - e) <= 5 * sd);
  }
}

TEST_CASE("policy oracle: autoaugment-cifar10 equals torchvision 0.14's CIFAR-10 table under the documented mapping") {
  Policy aa = builtin_policy("autoaugment-cifar10");
  std::vector<double> ours = aa.probs;
  std::vector<std::string> names;
  std::string code = R"PY(
from torchvision.transforms.autoaugment import AutoAugment, AutoAugmentPolicy
pol = AutoAugment(AutoAugmentPolicy.CIFAR10)._get_policies(AutoAugmentPolicy.CIFAR10)
names = NAMES
ID = 36
def letter(op, m):
    if op in ('AutoContrast', 'Equalize', 'Invert'): return names.index(op)
    lvl = 0 if m is None else min((0, 3, 6, 9), key=lambda L: abs(L - m))
    if lvl == 0: return ID
    r = {'ShearX': np.linspace(0, 0.3, 10), 'ShearY': np.linspace(0, 0.3, 10), 'TranslateX': np.linspace(0, 150 / 331, 10),
         'TranslateY': np.linspace(0, 150 / 331, 10), 'Rotate': np.linspace(0, 30, 10), 'Solarize': np.linspace(256, 0, 10),
         'Posterize': np.round(np.linspace(8, 4, 10), 0).astype(int)}
    v = r[op][lvl] if op in r else np.linspace(0, 0.9, 10)[lvl]
    return names.index(f'{op}_mag{v:.3g}')
P = np.zeros((37, 37))
for (a, pa, ma), (b, pb, mb) in pol:
    x, y = letter(a, ma), letter(b, mb)
    P[x, y] += pa * pb / 25; P[x, ID] += pa * (1 - pb) / 25; P[ID, y] += (1 - pa) * pb / 25; P[ID, ID] += (1 - pa) * (1 - pb) / 25
O['p'] = P.reshape(-1)
)PY";
  std::string list = "[";
  for (int i = 0; i < 36; ++i) list += std::string(i ? ", " : "") + "'" + element_info(i).name + "'";
  list += "]";
  code.replace(code.find("NAMES"), 5, list);
  Arrays res = run_python(code, {});
  auto ref = res["p"].to_f64();
  REQUIRE(ref.size() == ours.size());
  for (size_t k = 0; k < ref.size(); ++k) {
    INFO("pair ", k / 37, ",", k % 37);
    CHECK(ours[k] == doctest::Approx(ref[k]).epsilon(1e-12));
  }
}

TEST_CASE("augment CLI: apply --element and --pair equal Pillow; bad input exits 2") {
  const char* bin = std::getenv("AWS_BIN");
  REQUIRE(bin != nullptr);
  const std::string dir = std::string(AWS_BINARY_DIR) + "/augment_cli_test";
  const std::string cmd = "mkdir -p " + dir + " && cd " + dir + " && /usr/bin/python3 -c \"" +
      "from PIL import Image; import numpy as np; r = np.random.RandomState(5); "
      "Image.fromarray(r.randint(30, 120, (31, 29, 3), dtype=np.uint8)).save('rgb.png'); "
      "Image.fromarray(r.randint(30, 120, (28, 28), dtype=np.uint8)).save('g.png')\" && " + bin +
      " augment apply --element ShearY_mag0.2 --sign - rgb.png a.png && " + bin +
      " augment apply --pair Equalize,Rotate_mag30 --signs +,- g.png b.png";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string code = std::string("DIR = '") + dir + "'\n";
  Arrays res = run_python(code + R"PY(
import os
from PIL import Image, ImageOps
os.chdir(DIR)
a, g = Image.open('rgb.png'), Image.open('g.png')
ra = a.transform(a.size, Image.AFFINE, (1, 0, 0, -0.2, 1, 0), Image.BICUBIC, fillcolor=(128, 128, 128))
rb = ImageOps.equalize(g).rotate(-30)
oa, ob = Image.open('a.png'), Image.open('b.png')
O['ok'] = np.array([oa.mode == 'RGB', ob.mode == 'L', (np.asarray(oa) == np.asarray(ra)).all(), (np.asarray(ob) == np.asarray(rb)).all()], dtype=np.int32)
)PY", {});
  const int32_t* ok = res["ok"].as<int32_t>();
  for (int k = 0; k < 4; ++k) CHECK(ok[k] == 1);
  auto rc = [&](const std::string& args) {
    int s = std::system((std::string("cd ") + dir + " && " + bin + " " + args + " 2>/dev/null").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(rc("augment apply --element NoSuch --sign + rgb.png x.png") == 2);
  CHECK(rc("augment apply --element Invert --sign x rgb.png x.png") == 2);
  CHECK(rc("augment apply --element Invert missing.png x.png") == 2);
  CHECK(rc("augment apply --pair 1 rgb.png x.png") == 2);
  CHECK(rc("augment export --policy no-such-thing --out x.json") == 2);
}
