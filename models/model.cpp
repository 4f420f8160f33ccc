#include "models/model.h"

#include <cmath>
#include <vector>

#include "engine/runtime/memory.h"
#include "core/rng.h"
#include "engine/ops/cast.h"

namespace aws {

Model::Model(Device dev, const ModelSpec& s, int64_t b)
    : spec(s), batch(b), state(dev, "state:" + s.name), grads(dev, "gradients:" + s.name),
      work(dev, "workspace:" + s.name) {
  if (s.act != DType::f32 && s.act != DType::bf16)
    throw Error(std::string("model ") + s.name + ": activation dtype " + dtype_name(s.act) + " (need f32 or bf16)");
  if (s.act == DType::bf16 && dev != Device::cuda)
    throw UserError("model " + s.name + ": bf16 activations (the half-precision mode) run on the cuda backend only");
}

void Model::declare_io() {
  network_state_bytes_ = state.bytes();
  work.add(&input, Shape{batch, spec.h, spec.w, spec.c}, DType::f32);
  if (spec.act == DType::bf16) work.add(&input_act, Shape{batch, spec.h, spec.w, spec.c}, DType::bf16);
  work.add(&labels, Shape{batch}, DType::i32);
  work.add(&loss, Shape{1}, DType::f32);
  work.add(&correct, Shape{1}, DType::i32);
  work.add(&scratch, Shape{std::max<int64_t>(scratch_elems_, 1)}, spec.act);
}

Tensor Model::stem_input(int64_t n) const { return rows(spec.act == DType::bf16 ? input_act : input, n); }

Tensor Model::stem_input(Ctx& ctx, int64_t n) {
  Tensor x = stem_input(n);
  if (spec.act == DType::bf16) cast(ctx, {.x = rows(input, n), .y = x});
  return x;
}

void Model::commit(Ctx& ctx) {
  state.commit(ctx);
  grads.commit(ctx);
  work.commit(ctx);
}

int64_t Model::num_params() const {
  int64_t n = 0;
  for (auto& p : params) n += p.param->numel();
  return n;
}

// Normal draws from the counter-based generator (Box-Muller in double), one stream per tensor.
static void fill_normal(std::vector<float>& v, uint64_t key, double stddev) {
  for (size_t i = 0; i < v.size(); i += 2) {
    Rand4 r = philox4x32(key, uint32_t(i / 2), 0);
    double u1 = (double(r.v[0]) + 1.0) / 4294967296.0, u2 = double(r.v[1]) / 4294967296.0;
    double rad = std::sqrt(-2.0 * std::log(u1));
    v[i] = float(stddev * rad * std::cos(2 * M_PI * u2));
    if (i + 1 < v.size()) v[i + 1] = float(stddev * rad * std::sin(2 * M_PI * u2));
  }
}

void Model::init_params(Ctx& ctx, uint64_t seed) {
  // Zero everything first (BN running means, betas, biases, optimizer state), then set the rest.
  mem_zero(ctx, state.base(), state.bytes());
  std::vector<float> host;
  uint64_t idx = 0;
  auto upload = [&](const Tensor& t) {
    mem_copy(ctx, t.data, host.data(), t.bytes(), CopyKind::host_to_dev);
  };
  for (auto& p : params) {
    const Tensor& t = *p.param;
    host.assign(size_t(t.numel()), 0.f);
    uint64_t key = splitmix64(seed ^ splitmix64(++idx));
    if (p.name.ends_with("conv.weight")) {
      int64_t fan_out = t.dim(0) * t.dim(1) * t.dim(2);  // K·R·S (PyTorch kaiming_normal_, mode fan_out)
      fill_normal(host, key, std::sqrt(2.0 / double(fan_out)));
    } else if (p.name.ends_with("fc.weight")) {
      fill_normal(host, key, 1.0 / double(t.dim(1)));  // SPEC §11: std 1/in_features
    } else if (p.name.ends_with("bn.weight")) {
      host.assign(host.size(), 1.f);
    } else {
      continue;  // biases and BN betas stay 0
    }
    upload(t);
  }
  if (spec.zero_init_residual)
    for (Tensor* g : zero_init_gammas) mem_zero(ctx, g->data, g->bytes());
  // BN running variances start at 1 (PyTorch's reset_running_stats).
  for (const BufferRef& b : buffers) {
    if (!b.name.ends_with(".running_var")) continue;  // running means stay 0
    host.assign(size_t(b.t->numel()), 1.f);
    upload(*b.t);
  }
  ctx.sync();
}

}  // namespace aws
