// awsaug (python/) against the engine itself: the module's batch equals augment_batch with the key
// `aws train` uses for the same seed and epoch (train_epoch_key), byte for byte, for the float and the
// uint8 outputs, gray and RGB. Built where the module is (AWS_PYTHON).
#include <doctest/doctest.h>

#ifdef AWS_PYTHON_DIR
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "augment/policy_json.h"
#include "tests/support/oracle.h"

using namespace aws;
using namespace aws::test;

TEST_CASE("awsaug equals the engine's pass under aws train's key (seed, epoch, dataset index)") {
  const uint64_t seed = test_seed(31);
  INFO("seed ", seed);
  for (int c : {1, 3}) {
    INFO("channels ", c);
    const int n = 32, h = 16, w = 15;
    std::mt19937_64 rng(seed + uint64_t(c));
    std::vector<uint8_t> px(size_t(n) * h * w * c);
    for (auto& v : px) v = uint8_t(rng() >> 56);
    std::vector<int32_t> idx(n);  // dataset indices of the batch's images, in batch order
    for (auto& v : idx) v = int32_t(rng() % 50000);
    const uint32_t epoch = 7;
    Normalization nm;
    for (int q = 0; q < 3; ++q) nm.mean[q] = 0.4f + 0.05f * q, nm.std[q] = 0.2f + 0.03f * q;
    const AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), h, w, c, nm);
    Ctx ctx(Device::cpu, 2);
    std::vector<float> f(px.size());
    std::vector<uint8_t> u(px.size());
    Tensor images(px.data(), Shape{n, h, w, c}, DType::u8), ti(idx.data(), Shape{n}, DType::i32);
    Tensor tf(f.data(), Shape{n, h, w, c}, DType::f32), tu(u.data(), Shape{n, h, w, c}, DType::u8);
    const RngKey key = train_epoch_key(seed, epoch);
    augment_batch(ctx, plan, {.images = images, .indices = ti, .key = key, .out = tf, .rows = ImageRows::in_order});
    augment_batch(ctx, plan, {.images = images, .indices = ti, .key = key, .out = tu, .rows = ImageRows::in_order});
    const std::string code = std::string("import sys\nsys.path.insert(0, '") + AWS_PYTHON_DIR + R"PY(')
import awsaug
P = I['params']
a = awsaug.Augmenter('uniform', seed=int(P[0]) % 2**64, mean=[float(v) for v in I['mean']], std=[float(v) for v in I['std']])
O['f'] = np.from_dlpack(a.aug(I['images'], I['indices'], int(P[1])))
O['u'] = np.from_dlpack(a.aug(I['images'], I['indices'], int(P[1]), dtype='uint8'))
)PY";
    const int64_t params[2] = {int64_t(seed), epoch};
    Array p;
    p.shape = {2};
    p.dtype = "i8";
    p.bytes.assign(reinterpret_cast<const uint8_t*>(params), reinterpret_cast<const uint8_t*>(params) + sizeof params);
    Arrays res = run_python(code, {{"images", array_u8({n, h, w, c}, px.data())},
                                   {"indices", array_i32({n}, idx.data())},
                                   {"mean", array_f32({3}, nm.mean)},
                                   {"std", array_f32({3}, nm.std)},
                                   {"params", p}});
    REQUIRE(res["f"].numel() == int64_t(f.size()));
    REQUIRE(res["u"].numel() == int64_t(u.size()));
    CHECK(std::memcmp(res["f"].bytes.data(), f.data(), f.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(res["u"].bytes.data(), u.data(), u.size()) == 0);
  }
}
#endif
