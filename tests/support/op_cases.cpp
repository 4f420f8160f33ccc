// The machinery behind the op-case table: seeded input generation, device buffers (Env), and
// run_case, which runs one case on any Ctx and brings outputs and gradients back to the host.
#include "tests/support/op_cases.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "engine/runtime/memory.h"
#include "core/rng.h"
#include "kernels/bf16_ops.h"

namespace aws::test {

namespace {


// Stable per-name stream so that adding an input never changes another input's values.
uint64_t name_hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
  return h;
}

void fill(HostTensor& t, const TensorSpec& s, uint64_t seed) {
  const uint64_t key = splitmix64(seed ^ name_hash(s.name));
  t.shape = s.shape;
  t.kind = s.kind;
  t.v.resize(size_t(s.shape.numel()));
  for (size_t i = 0; i < t.v.size(); ++i) {
    const Rand4 r = philox4x32(key, uint32_t(i), uint32_t(uint64_t(i) >> 32));
    const double u1 = rand_unit_double(r.v[0], r.v[1]), u2 = rand_unit_double(r.v[2], r.v[3]);
    switch (s.gen) {
      case Gen::normal:
        t.v[i] = s.a + s.b * std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
        break;
      case Gen::uniform: t.v[i] = s.a + (s.b - s.a) * u1; break;
      case Gen::labels: t.v[i] = std::floor(u1 * s.b); break;
    }
    // Real inputs are made exactly representable in f32, so f32 and f64 runs see the same numbers.
    if (s.kind == Kind::real) t.v[i] = double(float(t.v[i]));
  }
}

}  // namespace

DType spec_dtype(const TensorSpec& s, DType real) {
  switch (s.kind) {
    case Kind::real: return real == DType::bf16 && s.f32_in_half ? DType::f32 : real;
    case Kind::i32: return DType::i32;
    case Kind::u8: return DType::u8;
  }
  return real;
}

void round_to_half(const std::vector<TensorSpec>& specs, HostMap& m) {
  for (auto& s : specs) {
    auto it = m.find(s.name);
    if (it == m.end() || spec_dtype(s, DType::bf16) != DType::bf16) continue;
    for (double& v : it->second.v) v = bf16_to_f32(bf16_from_f32(float(v)));
  }
}

Support case_support(const OpCase& c, Device dev, DType real) {
  if (real == DType::bf16) {
    if (dev != Device::cuda) return {false, "bf16 runs on the cuda backend only"};
    if (!c.half) return {false, c.op + " has no bf16 mode"};
    if (!cuda_built()) return {false, "this binary was built without the cuda backend"};
    return {};
  }
  if (real != DType::f32 && real != DType::f64) return {false, std::string("dtype ") + dtype_name(real) + " not covered"};
  if (real == DType::f64 && dev != Device::cpu) return {false, "f64 runs on the cpu backend only"};
  if (real == DType::f64 && !c.f64) return {false, c.op + " takes f32 only"};
  if (dev == Device::cuda && !cuda_built()) return {false, "this binary was built without the cuda backend"};
  return {};
}

HostMap make_inputs(const OpCase& c, uint64_t seed) {
  HostMap m;
  for (auto& s : c.inputs) fill(m[s.name], s, seed);
  return m;
}

HostMap make_output_grads(const OpCase& c, uint64_t seed) {
  HostMap m;
  for (auto& s : c.outputs)
    if (s.diff) {
      TensorSpec g = s;
      g.gen = Gen::normal;
      g.a = 0;
      g.b = 1;
      fill(m[s.name], g, seed ^ 0x5eedull);
    }
  return m;
}

// ---- Env -------------------------------------------------------------------------------------

Env::Env(Ctx& c, DType r, const OpCase& oc, const HostMap& inputs) : ctx(c), real(r) {
  for (auto& s : oc.inputs) {
    auto it = inputs.find(s.name);
    if (it == inputs.end()) throw std::runtime_error("op case " + oc.name + ": input " + s.name + " missing");
    if (it->second.shape != s.shape) throw std::runtime_error("op case " + oc.name + ": input " + s.name + " has the wrong shape");
    Tensor t = make(s);
    write(t, it->second.v);
    in_[s.name] = t;
    if (s.diff) dx_[s.name] = make(s);
  }
  for (auto& s : oc.outputs) {
    out_[s.name] = make(s);
    if (s.diff) dy_[s.name] = make(s);
  }
}

Env::~Env() {
  for (void* p : owned_) mem_free(ctx.device, p);
}

Tensor Env::make(const TensorSpec& s) {
  const DType dt = spec_dtype(s, real);
  const size_t bytes = size_t(s.shape.numel()) * dtype_size(dt);
  void* p = mem_alloc(ctx.device, bytes);
  owned_.push_back(p);
  Tensor t(p, s.shape, dt, ctx.device);
  std::vector<double> poison(size_t(s.shape.numel()),
                             s.kind == Kind::real ? std::numeric_limits<double>::quiet_NaN() : (s.kind == Kind::i32 ? -7777 : 77));
  write(t, poison);
  return t;
}

static Tensor& lookup(std::map<std::string, Tensor>& m, const std::string& name, const char* what) {
  auto it = m.find(name);
  if (it == m.end()) throw std::runtime_error(std::string("op case: no ") + what + " named " + name);
  return it->second;
}
Tensor& Env::in(const std::string& n) { return lookup(in_, n, "input"); }
Tensor& Env::out(const std::string& n) { return lookup(out_, n, "output"); }
Tensor& Env::dy(const std::string& n) { return lookup(dy_, n, "output gradient (is the output diff?)"); }
Tensor& Env::dx(const std::string& n) { return lookup(dx_, n, "input gradient (is the input diff?)"); }

std::vector<double> Env::read(const Tensor& t) {
  std::vector<uint8_t> raw(t.bytes());
  mem_copy(ctx, raw.data(), t.data, raw.size(), ctx.is_cuda() ? CopyKind::dev_to_host : CopyKind::dev_to_dev);
  ctx.sync();
  std::vector<double> v(size_t(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype) {
      case DType::f32: v[i] = reinterpret_cast<const float*>(raw.data())[i]; break;
      case DType::f64: v[i] = reinterpret_cast<const double*>(raw.data())[i]; break;
      case DType::bf16: v[i] = bf16_to_f32(reinterpret_cast<const bf16*>(raw.data())[i]); break;
      case DType::i32: v[i] = reinterpret_cast<const int32_t*>(raw.data())[i]; break;
      case DType::u8: v[i] = raw[i]; break;
      default: throw std::runtime_error("op case: cannot read dtype " + std::string(dtype_name(t.dtype)));
    }
  }
  return v;
}

void Env::write(Tensor& t, const std::vector<double>& v) {
  if (int64_t(v.size()) != t.numel()) throw std::runtime_error("op case: write of the wrong size");
  std::vector<uint8_t> raw(t.bytes());
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype) {
      case DType::f32: reinterpret_cast<float*>(raw.data())[i] = float(v[i]); break;
      case DType::f64: reinterpret_cast<double*>(raw.data())[i] = v[i]; break;
      case DType::bf16: reinterpret_cast<bf16*>(raw.data())[i] = bf16_from_f32(float(v[i])); break;
      case DType::i32: reinterpret_cast<int32_t*>(raw.data())[i] = int32_t(v[i]); break;
      case DType::u8: raw[i] = uint8_t(v[i]); break;
      default: throw std::runtime_error("op case: cannot write dtype " + std::string(dtype_name(t.dtype)));
    }
  }
  mem_copy(ctx, t.data, raw.data(), raw.size(), ctx.is_cuda() ? CopyKind::host_to_dev : CopyKind::dev_to_dev);
  ctx.sync();
}

void Env::set_dys(const HostMap& dys) {
  for (auto& [name, t] : dy_) {
    auto it = dys.find(name);
    if (it == dys.end()) throw std::runtime_error("op case: upstream gradient for " + name + " missing");
    write(t, it->second.v);
  }
}

// ---- run_case --------------------------------------------------------------------------------

CaseResult run_case(Ctx& ctx, const OpCase& c, DType real, const HostMap& inputs, const HostMap* dys) {
  Env env(ctx, real, c, inputs);
  c.forward(env);
  const bool grads = dys && c.backward;
  if (grads) {
    env.set_dys(*dys);
    c.backward(env);
  }
  ctx.sync();
  CaseResult r;
  for (auto& s : c.outputs) r.outputs[s.name] = HostTensor{s.shape, s.kind, env.read(env.out(s.name))};
  for (auto& s : c.inputs) {
    r.inputs_after[s.name] = HostTensor{s.shape, s.kind, env.read(env.in(s.name))};
    if (grads && s.diff) r.grads[s.name] = HostTensor{s.shape, s.kind, env.read(env.dx(s.name))};
  }
  return r;
}

}  // namespace aws::test
