// `aws export --format safetensors` against PyTorch 1.13: a checkpoint (random weights, perturbed BN
// parameters and running statistics) is exported by the CLI, read back by a small safetensors reader
// (Debian has no safetensors package), loaded into bench/torch_models.py's twin with strict=True, and
// its eval-mode logits equal our eval forward's. Bad flags exit 2.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "train/model_file.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"

using namespace aws;
using namespace aws::test;

namespace {

void set_host(Ctx&, Tensor& t, const std::vector<float>& v) {
  std::memcpy(t.data, v.data(), t.bytes());  // a cpu model
}

void check_export(const ModelSpec& spec, uint64_t seed) {
  INFO("model ", spec.name, " seed ", seed);
  const char* bin = std::getenv("AWS_BIN");
  REQUIRE(bin != nullptr);
  const int64_t n = 5;
  Ctx ctx(Device::cpu, 2);
  auto model = create_model(spec, n, Device::cpu);
  model->commit(ctx);
  model->init_params(ctx, seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::uniform_real_distribution<float> ud(0.5f, 1.5f);
  for (auto& p : model->params) {  // BN γ/β and the classifier bias away from the trivial init
    if (!p.name.ends_with("bn.weight") && !p.name.ends_with("bn.bias") && !p.name.ends_with("fc.bias")) continue;
    std::vector<float> v(size_t(p.param->numel()));
    for (auto& e : v) e = p.name.ends_with("bn.weight") ? ud(rng) : 0.1f * nd(rng);
    set_host(ctx, *p.param, v);
  }
  for (auto& b : model->buffers) {
    std::vector<float> v(size_t(b.t->numel()));
    for (auto& e : v) e = b.name.ends_with("running_var") ? ud(rng) : 0.2f * nd(rng);
    set_host(ctx, *b.t, v);
  }
  std::vector<float> x(size_t(n) * spec.h * spec.w * spec.c);
  for (auto& e : x) e = nd(rng);
  set_host(ctx, model->input, x);
  int32_t key[2] = {0, 0};
  model->forward(ctx, n, false, Tensor(key, Shape{2}, DType::i32));
  const float* logits = model->head.logits.f32();
  std::vector<float> ours(logits, logits + n * spec.classes);

  const TempDir tmp("aws_export_test");
  const std::string dir = tmp.path, ckpt = dir + "/model.ckpt", st = dir + "/model.safetensors";
  ModelFileInfo info;
  info.spec = spec;
  info.dataset = "fashion-mnist";
  save_model_file(ctx, ckpt, *model, info, false);
  auto rc = [&](const std::string& args) {
    const int s = std::system((std::string(bin) + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  REQUIRE(rc("export --checkpoint " + ckpt + " --format safetensors --out " + st) == 0);
  CHECK(rc("export --checkpoint " + ckpt + " --format onnx --out " + dir + "/x") == 2);
  CHECK(rc("export --checkpoint " + dir + "/missing.ckpt --out " + dir + "/x") == 2);
  CHECK(rc("export --checkpoint " + ckpt) == 2);

  const std::string code = "SRC = '" + std::string(AWS_SOURCE_DIR) + "'\nPATH = '" + st + "'\nNAME = '" + spec.name +
                           "'\nC, K = " + std::to_string(spec.c) + ", " + std::to_string(spec.classes) + "\n" + R"PY(
import json, struct, sys
import torch
sys.path.insert(0, SRC + '/bench')
import torch_models
def load_safetensors(path):  # the format, read as its spec says
    with open(path, 'rb') as f:
        b = f.read()
    (hlen,) = struct.unpack('<Q', b[:8])
    header = json.loads(b[8:8 + hlen])
    meta = header.pop('__metadata__', {})
    types = {'F32': np.float32, 'I64': np.int64}
    out = {}
    for name, t in header.items():
        lo, hi = t['data_offsets']
        a = np.frombuffer(b[8 + hlen + lo:8 + hlen + hi], dtype=types[t['dtype']]).reshape(t['shape'])
        out[name] = torch.from_numpy(a.copy())
    return out, meta
sd, meta = load_safetensors(PATH)
assert meta['format'] == 'pt' and meta['aws.model'] == NAME, meta
net = torch_models.make(NAME, C, K)
net.load_state_dict(sd, strict=True)
net.eval()
x = torch.from_numpy(I['x']).permute(0, 3, 1, 2)
with torch.no_grad():
    O['logits'] = net(x).numpy()
)PY";
  Arrays res = run_python(code, {{"x", array_f32({n, spec.h, spec.w, spec.c}, x.data())}});
  REQUIRE(res["logits"].numel() == int64_t(ours.size()));
  Compare cmp = compare(ours.data(), res["logits"].as<float>(), int64_t(ours.size()));
  INFO("max abs ", cmp.max_abs, " at ", cmp.worst);
  CHECK(cmp.max_abs <= 1e-4);
}

}  // namespace

TEST_CASE("aws export: safetensors load into the PyTorch twins (strict) and give our eval logits") {
  const uint64_t seed = test_seed(41);
  ModelSpec r20;
  r20.name = "resnet20", r20.h = 16, r20.w = 16, r20.c = 3, r20.classes = 10;
  check_export(r20, seed);
  ModelSpec wrn;
  wrn.name = "wrn-10-2", wrn.h = 12, wrn.w = 12, wrn.c = 1, wrn.classes = 7;
  check_export(wrn, seed + 1);
}
