// The fused augmentation kernel against the cpu pass: bit-identical float output and identical draws
// for every one of the 36 elements (forced as the first and as the second op of the pair, signs drawn
// per image so both occur) on 28×28 gray and 32×32 RGB batches, with crop/flip/cutout on; the
// built-in policies (uniform over 1296 pairs, AutoAugment's 37-letter alphabet, P_AV pair-only);
// normalize_batch; the pass's own device pair counter against count_pairs over the draws; and no
// device allocation once the buffers have their size; a batch gathered in order (a streamed source)
// augments and normalizes exactly as the resident one; the u8 output equals the cpu one.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/runtime/memory.h"
#include "core/rng.h"
#include "tests/support/oracle.h"

namespace aws::test {

namespace {

struct Images {
  int n, h, w, c;
  std::vector<uint8_t> host;
  Tensor cpu, dev;
  void* dev_mem = nullptr;
  Images(Ctx& g, int n_, int h_, int w_, int c_, uint64_t seed) : n(n_), h(h_), w(w_), c(c_) {
    host.resize(size_t(n) * h * w * c);
    // Smooth gradients + noise + a few flat images, so histograms are neither empty nor trivial.
    for (size_t i = 0; i < host.size(); ++i) {
      const uint32_t r = philox4x32(seed, uint32_t(i), 3).v[0];
      const size_t img = i / (size_t(h) * w * c);
      host[i] = img % 7 == 6 ? uint8_t(90 + img % 5) : uint8_t((i % 97) * 2 + (r >> 29));
    }
    cpu = Tensor(host.data(), Shape{n, h, w, c}, DType::u8);
    dev_mem = mem_alloc(Device::cuda, host.size());
    mem_copy(g, dev_mem, host.data(), host.size(), CopyKind::host_to_dev);
    dev = Tensor(dev_mem, Shape{n, h, w, c}, DType::u8, Device::cuda);
  }
  ~Images() { mem_free(Device::cuda, dev_mem); }
};

// A device copy of a host index list (the i32 tensor the pass reads).
struct DevIndices {
  void* mem = nullptr;
  Tensor t;
  DevIndices(Ctx& g, const std::vector<int32_t>& idx) {
    mem = mem_alloc(Device::cuda, idx.size() * 4);
    mem_copy(g, mem, idx.data(), idx.size() * 4, CopyKind::host_to_dev);
    t = Tensor(mem, Shape{int64_t(idx.size())}, DType::i32, Device::cuda);
  }
  ~DevIndices() { mem_free(Device::cuda, mem); }
};

Normalization norm_for(int c) {
  Normalization m;
  const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, sd[3] = {0.2470f, 0.2435f, 0.2616f};
  for (int ch = 0; ch < c; ++ch) m.mean[ch] = mean[ch], m.std[ch] = sd[ch];
  return m;
}

// Runs both backends on the same batch; checks outputs bit-equal and draws equal; returns the draws.
std::vector<ImageDraws> compare(Ctx& cpu, Ctx& gpu, const AugmentPlan& plan, const Images& im,
                                const std::vector<int32_t>& idx, const RngKey& key, const std::string& what) {
  const int n = int(idx.size());
  const size_t img = size_t(im.h) * im.w * im.c;
  std::vector<float> out_cpu(n * img), out_gpu(n * img);
  std::vector<ImageDraws> d_cpu(n), d_gpu(n);
  Tensor oc(out_cpu.data(), Shape{n, im.h, im.w, im.c}, DType::f32);
  std::vector<int32_t> pc_cpu(kPairs, 0), pc_gpu(kPairs, 0);
  Tensor pcc(pc_cpu.data(), Shape{kPairs}, DType::i32);
  augment_batch(cpu, plan,
                {.images = im.cpu,
                 .indices = Tensor(const_cast<int32_t*>(idx.data()), Shape{n}, DType::i32),
                 .key = key,
                 .out = oc,
                 .draws = d_cpu.data(),
                 .pair_counts = &pcc});
  void* og_mem = mem_alloc(Device::cuda, out_gpu.size() * 4);
  void* pc_mem = mem_alloc(Device::cuda, size_t(kPairs) * 4);
  mem_zero(gpu, pc_mem, size_t(kPairs) * 4);
  Tensor og(og_mem, Shape{n, im.h, im.w, im.c}, DType::f32, Device::cuda);
  Tensor pcg(pc_mem, Shape{kPairs}, DType::i32, Device::cuda);
  DevIndices di(gpu, idx);
  augment_batch(gpu, plan,
                {.images = im.dev, .indices = di.t, .key = key, .out = og, .draws = d_gpu.data(), .pair_counts = &pcg});
  mem_copy(gpu, out_gpu.data(), og_mem, out_gpu.size() * 4, CopyKind::dev_to_host);
  mem_copy(gpu, pc_gpu.data(), pc_mem, size_t(kPairs) * 4, CopyKind::dev_to_host);
  mem_free(Device::cuda, og_mem);
  mem_free(Device::cuda, pc_mem);
  std::vector<int64_t> want(kPairs, 0);
  count_pairs(d_cpu.data(), n, want.data());
  bool counts_ok = true;
  for (int k = 0; k < kPairs; ++k) counts_ok = counts_ok && pc_cpu[k] == want[k] && pc_gpu[k] == want[k];
  INFO(what, ": device pair counter equals count_pairs over the draws");
  CHECK(counts_ok);
  int first_bad = -1;
  size_t bad = 0;
  for (size_t i = 0; i < out_cpu.size(); ++i)
    if (std::memcmp(&out_cpu[i], &out_gpu[i], 4) != 0) {
      if (first_bad < 0) first_bad = int(i);
      ++bad;
    }
  INFO(what, ": ", bad, " differing values; first at image ", first_bad < 0 ? -1 : first_bad / int(img),
       " (op1 ", first_bad < 0 ? -1 : d_cpu[first_bad / img].op1, ", op2 ",
       first_bad < 0 ? -1 : d_cpu[first_bad / img].op2, ")");
  CHECK(bad == 0);
  int draw_bad = 0;
  for (int b = 0; b < n; ++b)
    draw_bad += std::memcmp(&d_cpu[b], &d_gpu[b], sizeof(ImageDraws)) != 0;
  CHECK(draw_bad == 0);
  return d_cpu;
}

Policy forced_pair(int a, int b) {
  Policy p;
  p.name = "forced";
  p.alphabet = kElements;
  p.probs.assign(size_t(kPairs), 0.0);
  p.probs[size_t(a * kElements + b)] = 1.0;
  return p;
}

std::vector<int32_t> some_indices(int n, int count, uint64_t seed) {
  std::vector<int32_t> idx(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) idx[size_t(i)] = int32_t(rand_below(philox4x32(seed, uint32_t(i), 9).v[0], uint32_t(n)));
  return idx;
}

}  // namespace

TEST_CASE("augment kernel: all 36 elements x signs, gray 28x28 and RGB 32x32, bit-exact with the cpu pass") {
  Ctx cpu(Device::cpu, 2), gpu(Device::cuda);
  const uint64_t seed = test_seed(61);
  INFO("seed ", seed);
  for (int kind = 0; kind < 2; ++kind) {
    const int h = kind ? 32 : 28, w = h, c = kind ? 3 : 1;
    Images im(gpu, 200, h, w, c, seed + kind);
    const std::vector<int32_t> idx = some_indices(im.n, 48, seed + 10 + kind);
    for (int e = 0; e < kElements; ++e) {
      // e first, then a partner; and e second after a partner (both positions, distinct partners).
      const int partner = (e * 7 + 5) % kElements;
      for (int pos = 0; pos < 2; ++pos) {
        const Policy pol = pos == 0 ? forced_pair(e, partner) : forced_pair(partner, e);
        const AugmentPlan plan = make_augment_plan(pol, h, w, c, norm_for(c));
        const std::string what = std::string(c == 1 ? "gray" : "rgb") + " element " + std::to_string(e) +
                                 (pos == 0 ? " first" : " second");
        const auto d = compare(cpu, gpu, plan, im, idx, RngKey{seed, 1, 2, 3, uint32_t(e), uint32_t(pos)}, what);
        int plus = 0, minus = 0;
        for (const auto& x : d) (pos == 0 ? x.sign1 : x.sign2) > 0 ? ++plus : ++minus;
        INFO(what);
        CHECK(plus > 0);  // both signs exercised for this element
        CHECK(minus > 0);
      }
    }
  }
}

TEST_CASE("augment kernel: built-in policies (uniform, AutoAugment, RandAugment, P_AV) equal the cpu pass") {
  Ctx cpu(Device::cpu, 2), gpu(Device::cuda);
  const uint64_t seed = test_seed(62);
  INFO("seed ", seed);
  for (int kind = 0; kind < 2; ++kind) {
    const int h = kind ? 32 : 28, w = h, c = kind ? 3 : 1;
    Images im(gpu, 300, h, w, c, seed + kind);
    const std::vector<int32_t> idx = some_indices(im.n, 256, seed + 20 + kind);
    for (const char* name : {"uniform", "autoaugment-cifar10", "randaugment", "cutout", "none"}) {
      const Policy pol = builtin_policy(name);
      compare(cpu, gpu, make_augment_plan(pol, h, w, c, norm_for(c)), im, idx, RngKey{seed, 4}, name);
    }
    PlanOptions pav;
    pav.pair_only = true;
    compare(cpu, gpu, make_augment_plan(builtin_policy("uniform"), h, w, c, norm_for(c), pav), im, idx,
            RngKey{seed, 5}, "P_AV uniform");
  }
}

TEST_CASE("augment kernel: normalize_batch equals the cpu; repeated calls allocate nothing") {
  Ctx cpu(Device::cpu, 2), gpu(Device::cuda);
  const uint64_t seed = test_seed(63);
  INFO("seed ", seed);
  Images im(gpu, 100, 32, 32, 3, seed);
  const std::vector<int32_t> idx = some_indices(im.n, 64, seed + 1);
  const int n = int(idx.size());
  const size_t img = 32 * 32 * 3;
  std::vector<float> a(n * img), b(n * img);
  Tensor ta(a.data(), Shape{n, 32, 32, 3}, DType::f32);
  normalize_batch(
      cpu, norm_for(3),
      {.images = im.cpu, .indices = Tensor(const_cast<int32_t*>(idx.data()), Shape{n}, DType::i32), .out = ta});
  DevIndices di(gpu, idx);
  void* mem = mem_alloc(Device::cuda, b.size() * 4);
  Tensor tb(mem, Shape{n, 32, 32, 3}, DType::f32, Device::cuda);
  normalize_batch(gpu, norm_for(3), {.images = im.dev, .indices = di.t, .out = tb});
  mem_copy(gpu, b.data(), mem, b.size() * 4, CopyKind::dev_to_host);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);

  const AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), 32, 32, 3, norm_for(3));
  std::vector<ImageDraws> draws(static_cast<size_t>(n));
  augment_batch(gpu, plan, {.images = im.dev, .indices = di.t, .key = RngKey{seed}, .out = tb, .draws = draws.data()});
  const uint64_t before = mem_alloc_count(Device::cuda);
  for (int r = 0; r < 5; ++r) {
    augment_batch(gpu, plan,
                  {.images = im.dev,
                   .indices = di.t,
                   .key = RngKey{seed, 0, 0, 0, uint32_t(r)},
                   .out = tb,
                   .draws = draws.data()});
    normalize_batch(gpu, norm_for(3), {.images = im.dev, .indices = di.t, .out = tb});
  }
  gpu.sync();
  CHECK(mem_alloc_count(Device::cuda) == before);
  mem_free(Device::cuda, mem);
}

}  // namespace aws::test

namespace aws::test {

TEST_CASE("augment kernel: a batch gathered in order (ImageRows::in_order) equals the resident one") {
  Ctx gpu(Device::cuda);
  const uint64_t seed = test_seed(64);
  INFO("seed ", seed);
  Images im(gpu, 90, 32, 32, 3, seed);
  const std::vector<int32_t> idx = some_indices(im.n, 48, seed + 1);
  const int n = int(idx.size());
  const size_t img = 32 * 32 * 3;
  // The batch's images copied in order into a buffer of their own, as a streamed source would.
  std::vector<uint8_t> gathered(size_t(n) * img);
  for (int b = 0; b < n; ++b) std::memcpy(&gathered[size_t(b) * img], &im.host[size_t(idx[size_t(b)]) * img], img);
  void* g_mem = mem_alloc(Device::cuda, gathered.size());
  mem_copy(gpu, g_mem, gathered.data(), gathered.size(), CopyKind::host_to_dev);
  const Tensor g(g_mem, Shape{n, 32, 32, 3}, DType::u8, Device::cuda);
  DevIndices di(gpu, idx);
  std::vector<float> a(n * img), b(n * img);
  void* oa = mem_alloc(Device::cuda, a.size() * 4);
  void* ob = mem_alloc(Device::cuda, b.size() * 4);
  Tensor ta(oa, Shape{n, 32, 32, 3}, DType::f32, Device::cuda), tb(ob, Shape{n, 32, 32, 3}, DType::f32, Device::cuda);
  const AugmentPlan plan = make_augment_plan(builtin_policy("trivialaugment"), 32, 32, 3, norm_for(3));
  augment_batch(gpu, plan, {.images = im.dev, .indices = di.t, .key = RngKey{seed}, .out = ta});
  augment_batch(gpu, plan, {.images = g, .indices = di.t, .key = RngKey{seed}, .out = tb, .rows = ImageRows::in_order});
  mem_copy(gpu, a.data(), oa, a.size() * 4, CopyKind::dev_to_host);
  mem_copy(gpu, b.data(), ob, b.size() * 4, CopyKind::dev_to_host);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
  normalize_batch(gpu, norm_for(3), {.images = im.dev, .indices = di.t, .out = ta});
  normalize_batch(gpu, norm_for(3), {.images = g, .indices = di.t, .out = tb, .rows = ImageRows::in_order});
  mem_copy(gpu, a.data(), oa, a.size() * 4, CopyKind::dev_to_host);
  mem_copy(gpu, b.data(), ob, b.size() * 4, CopyKind::dev_to_host);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
  mem_free(Device::cuda, oa);
  mem_free(Device::cuda, ob);
  mem_free(Device::cuda, g_mem);
}

TEST_CASE("augment kernel: the u8 output (pixels before /255, Cutout 0) equals the cpu pass's") {
  Ctx cpu(Device::cpu, 2), gpu(Device::cuda);
  const uint64_t seed = test_seed(65);
  INFO("seed ", seed);
  for (int c : {1, 3}) {
    Images im(gpu, 70, 28, 28, c, seed + uint64_t(c));
    const std::vector<int32_t> idx = some_indices(im.n, 64, seed + 2);
    const int n = int(idx.size());
    const size_t bytes = size_t(n) * 28 * 28 * c;
    std::vector<uint8_t> a(bytes), b(bytes);
    const AugmentPlan plan = make_augment_plan(builtin_policy("uniform"), 28, 28, c, norm_for(c));
    Tensor ta(a.data(), Shape{n, 28, 28, c}, DType::u8);
    augment_batch(cpu, plan, {.images = im.cpu, .indices = Tensor(const_cast<int32_t*>(idx.data()), Shape{n},
                                                                  DType::i32), .key = RngKey{seed}, .out = ta});
    DevIndices di(gpu, idx);
    void* ob = mem_alloc(Device::cuda, bytes);
    Tensor tb(ob, Shape{n, 28, 28, c}, DType::u8, Device::cuda);
    augment_batch(gpu, plan, {.images = im.dev, .indices = di.t, .key = RngKey{seed}, .out = tb});
    mem_copy(gpu, b.data(), ob, bytes, CopyKind::dev_to_host);
    gpu.sync();
    mem_free(Device::cuda, ob);
    INFO("channels ", c);
    CHECK(a == b);
  }
}

}  // namespace aws::test
