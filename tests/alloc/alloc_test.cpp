// The steady-state train step allocates nothing, counted from outside the engine: this binary
// interposes the global operator new/delete (every variant) and malloc/calloc/realloc/aligned_alloc/
// posix_memalign/memalign/free, forwarding to glibc's __libc_* entry points, so every allocation by our
// code, libstdc++, OpenMP and oneDNN is counted. After warm-up epochs, further epochs of the shared
// training loop (fused augmentation with a pair-op policy, forward, softmax-CE, backward, clipping,
// SGD) and evaluation must leave the counters unchanged.
// The counters are the one piece of global mutable state here: an allocator hook has nowhere else to
// keep them.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <execinfo.h>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "engine/optim/sgd.h"
#include "models/model.h"
#include "train/trainer.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

std::atomic<uint64_t> g_allocs{0}, g_bytes{0};
// The sizes of the first allocations while `g_record` is set, to name a leak in the failure message.
constexpr int kRecord = 16;
std::atomic<bool> g_record{false};
std::atomic<int> g_recorded{0};
size_t g_sizes[kRecord];

// While recording, each allocation is attributed by its call stack: made inside libdnnl (oneDNN's
// own per-call bookkeeping, which no caller can avoid) or anywhere else (our code, libstdc++, OpenMP).
std::atomic<uint64_t> g_dnnl_allocs{0}, g_gomp_allocs{0};
void* g_first_other[24];
std::atomic<int> g_first_other_depth{0};
thread_local bool t_in_hook = false;

bool inside(const char* lib, void* const* frames, int n) {
  for (int i = 0; i < n; ++i) {
    Dl_info info;
    if (dladdr(frames[i], &info) && info.dli_fname && std::strstr(info.dli_fname, lib)) return true;
  }
  return false;
}

inline void note(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  if (!g_record.load(std::memory_order_relaxed) || t_in_hook) return;
  t_in_hook = true;
  void* frames[24];
  int depth = backtrace(frames, 24);
  if (inside("libdnnl", frames, depth)) {
    g_dnnl_allocs.fetch_add(1, std::memory_order_relaxed);
  } else {
    // libgomp (the direct caller) allocates a fresh one-thread team for every `omp parallel if(false)` region: counted
    // as ours, since the caller can branch to a serial loop instead.
    if (depth > 1 && inside("libgomp", frames + 1, 1)) g_gomp_allocs.fetch_add(1, std::memory_order_relaxed);
    int i = g_recorded.fetch_add(1, std::memory_order_relaxed);
    if (i < kRecord) g_sizes[i] = n;
    if (i == 0) {
      std::memcpy(g_first_other, frames, sizeof frames);
      g_first_other_depth = depth;
    }
  }
  t_in_hook = false;
}

void* counted_new(size_t n) {
  note(n);
  void* p = __libc_malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

void* counted_new_aligned(size_t n, std::align_val_t a) {
  note(n);
  void* p = __libc_memalign(size_t(a), n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

extern "C" {
void* malloc(size_t n) {
  note(n);
  return __libc_malloc(n);
}
void* calloc(size_t k, size_t n) {
  note(k * n);
  return __libc_calloc(k, n);
}
void* realloc(void* p, size_t n) {
  note(n);
  return __libc_realloc(p, n);
}
void* memalign(size_t a, size_t n) {
  note(n);
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
  note(n);
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  note(n);
  void* p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void free(void* p) { __libc_free(p); }
}

void* operator new(size_t n) { return counted_new(n); }
void* operator new[](size_t n) { return counted_new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { note(n); return __libc_malloc(n ? n : 1); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { note(n); return __libc_malloc(n ? n : 1); }
void* operator new(size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  note(n);
  return __libc_memalign(size_t(a), n ? n : 1);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  note(n);
  return __libc_memalign(size_t(a), n ? n : 1);
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t) noexcept { __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }

using namespace aws;

namespace {

struct Count {
  uint64_t allocs, bytes;
  uint64_t dnnl = 0;   // of allocs, made inside oneDNN
  uint64_t other = 0;  // of allocs, made anywhere else
};

// Runs `f` with recording on; returns the allocations it made.
template <class F>
Count measure(F&& f) {
  void* warm[4];
  backtrace(warm, 4);  // loads the unwinder (it allocates once) before counting
  g_recorded = 0;
  g_dnnl_allocs = 0;
  g_gomp_allocs = 0;
  g_first_other_depth = 0;
  const uint64_t a = g_allocs.load(), ab = g_bytes.load();
  g_record = true;
  f();
  g_record = false;
  Count c{g_allocs.load() - a, g_bytes.load() - ab};
  c.dnnl = g_dnnl_allocs.load();
  c.other = uint64_t(g_recorded.load());
  return c;
}

// Sizes of the first allocations outside oneDNN and the stack of the first one.
std::string report_other() {
  std::string s = "(" + std::to_string(g_gomp_allocs.load()) + " of them made by libgomp) first sizes: ";
  int n = std::min(g_recorded.load(), kRecord);
  for (int i = 0; i < n; ++i) s += std::to_string(g_sizes[i]) + " ";
  if (int depth = g_first_other_depth.load()) {
    char** names = backtrace_symbols(g_first_other, depth);
    s += "\nfirst stack:";
    for (int i = 0; names && i < depth; ++i) s += std::string("\n  ") + names[i];
    std::free(names);
  }
  return s;
}

}  // namespace

TEST_CASE("alloc: the counters see allocations (the interposition works)") {
  Count c = measure([] {
    std::vector<int>* v = new std::vector<int>(1000);
    void* p = std::malloc(100);
    void* q = nullptr;
    CHECK(posix_memalign(&q, 64, 256) == 0);
    std::free(p);
    std::free(q);
    delete v;
  });
  CHECK(c.allocs >= 4);
  CHECK(c.bytes >= 4000 + 100 + 256);
}

TEST_CASE("alloc: steady-state training steps and evaluation allocate nothing") {
  const int64_t batch = 8;
  Ctx ctx(Device::cpu);
  ModelSpec spec;  // resnet20 on 1×28×28
  auto model = create_model(spec, batch, Device::cpu);
  Sgd sgd(SgdConfig{0.9f, true, 5e-4f});
  Trainer trainer(ctx, *model, sgd, TrainOptions{0.05f, 3.0f, 1}, batch);
  model->init_params(ctx, 3);

  // Exactly two batches of seeded images, and a policy that draws pair-ops (plus crop, flip, cutout).
  Dataset d;
  d.name = "synthetic";
  d.n = 2 * batch;
  d.h = d.w = 28;
  d.c = 1;
  d.num_classes = 10;
  std::mt19937 rng(5);
  d.images.resize(size_t(d.n) * 28 * 28);
  for (auto& b : d.images) b = uint8_t(rng());
  for (int64_t i = 0; i < d.n; ++i) d.labels.push_back(int32_t(rng() % 10));
  ResidentImages res(ctx, d);
  std::vector<int32_t> idx;
  for (int64_t i = 0; i < d.n; ++i) idx.push_back(int32_t(i));
  Normalization norm;
  norm.mean[0] = 0.5f;
  norm.std[0] = 0.3f;
  Policy policy = builtin_policy("uniform");
  REQUIRE(policy.has_pair_op());
  AugmentPlan plan = make_augment_plan(policy, 28, 28, 1, norm);
  LrSchedule lr;
  lr.kind = LrKind::cosine;
  lr.total = 100;
  std::vector<int64_t> pairs(kPairs, 0);
  int64_t iter = 0;

  auto epoch = [&](uint32_t e) {
    RngKey key{1, 0, 0, 0, e, 0};
    trainer.train_epoch(res, idx, plan, key, lr, iter, pairs.data());
  };
  // Warm-up: OpenMP's thread pool, oneDNN's primitives per shape, the plan's per-thread scratch.
  epoch(0);
  epoch(1);
  Count steady = measure([&] {
    for (uint32_t e = 2; e < 5; ++e) epoch(e);
  });
  std::printf("alloc: 6 steady-state train steps: %llu allocations (%llu bytes), %llu of them inside oneDNN\n",
              (unsigned long long)steady.allocs, (unsigned long long)steady.bytes, (unsigned long long)steady.dnnl);
  CHECK(iter == 10);
  {
    INFO("6 steady-state steps: ", steady.other, " allocations outside oneDNN; ", report_other());
    CHECK(steady.other == 0);
  }
  CHECK(steady.allocs == steady.dnnl + steady.other);
  // oneDNN 2.6 builds a std::unordered_map of the arguments inside every dnnl_primitive_execute (no
  // public API avoids it). When a oneDNN without that cost is found, tighten this to steady.allocs == 0.
  WARN_MESSAGE(steady.dnnl == 0, "oneDNN allocated ", steady.dnnl, " times inside primitive execution");

  trainer.evaluate(res, idx, norm);
  Count eval = measure([&] { trainer.evaluate(res, idx, norm); });
  std::printf("alloc: evaluation of 2 batches: %llu allocations, %llu of them inside oneDNN\n",
              (unsigned long long)eval.allocs, (unsigned long long)eval.dnnl);
  INFO("evaluation: ", eval.other, " allocations outside oneDNN; ", report_other());
  CHECK(eval.other == 0);
}
