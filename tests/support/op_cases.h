// The one table of op cases (ggml test-backend-ops / Caffe GradientChecker style). A case names its
// inputs and outputs, how to generate seeded inputs, and a forward and a backward written through the
// op facades, so the same case runs on any Ctx (cpu or cuda) in f32, or in f64 on the cpu. It feeds
// the finite-difference gradient checker (gradcheck.h), the PyTorch oracle tests and the gpu-vs-cpu
// tests. "Not supported on this backend/dtype" is a status (case_support), not a failure. A case may
// also run in bf16 on cuda (the half-precision mode): its activations are bf16 there, while the
// tensors marked f32_in_half (parameters, statistics, pooled vectors) stay f32.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/tensor.h"

namespace aws::test {

// What a tensor holds: real numbers (f32 or f64, chosen per run), class labels, or bytes.
enum class Kind : uint8_t { real, i32, u8 };
// How generate() fills an input: normal(a, b) = mean a, std b; uniform [a, b); labels in [0, b).
enum class Gen : uint8_t { normal, uniform, labels };

struct TensorSpec {
  std::string name;
  Shape shape;
  Kind kind = Kind::real;
  bool diff = false;  // inputs: has a gradient; outputs: enters the loss (receives an upstream gradient)
  Gen gen = Gen::normal;
  double a = 0, b = 1;
  bool f32_in_half = false;  // stays f32 when the case runs in bf16
};

// A host copy of a tensor; values are kept in double whatever the dtype (exact for i32 and u8).
struct HostTensor {
  Shape shape;
  Kind kind = Kind::real;
  std::vector<double> v;
};
using HostMap = std::map<std::string, HostTensor>;

struct OpCase;

// Device buffers for one run of a case, allocated on ctx's device in the run's real dtype. Outputs and
// input gradients start as NaN (i32: −7777), so a value the op forgets to write shows up in tests.
class Env {
 public:
  Env(Ctx& ctx, DType real, const OpCase& c, const HostMap& inputs);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  Tensor& in(const std::string& name);   // an input (mutable: e.g. running statistics)
  Tensor& out(const std::string& name);  // an output
  Tensor& dy(const std::string& name);   // the upstream gradient of an output (diff outputs)
  Tensor& dx(const std::string& name);   // the gradient of an input (diff inputs)
  bool has(const std::string& name) const { return in_.count(name) != 0; }

  std::vector<double> read(const Tensor& t);            // device → host, as doubles
  void write(Tensor& t, const std::vector<double>& v);  // host → device, converted to t's dtype
  void set_dys(const HostMap& dys);                     // fills dy(...) for every diff output

  Ctx& ctx;
  const DType real;

 private:
  Tensor make(const TensorSpec& s);
  std::map<std::string, Tensor> in_, out_, dy_, dx_;
  std::vector<void*> owned_;
};

struct OpCase {
  std::string name;  // unique, e.g. "batchnorm/train/res+relu [3,4,5,11]"
  std::string op;    // the op family the oracle tests key on: relu, batchnorm_train, maxpool, ...
  std::map<std::string, double> params;  // the op's parameters, for the oracle and for messages
  std::vector<TensorSpec> inputs, outputs;
  std::function<void(Env&)> forward;
  std::function<void(Env&)> backward;  // null: forward only (no gradient to check)
  // Outputs whose pattern marks the kinks of a piecewise function: real → sign (y > 0), i32 → value.
  // The gradient checker skips a point whose ±eps perturbation changes the pattern.
  std::vector<std::string> kink_outputs;
  double tol = 1e-5;        // relative-error budget of f32 results against an independent reference
  double grad_eps = 1e-5;   // central-difference step in double
  double grad_tol = 1e-6;   // checker tolerance, relative to max(1, |analytic|, |numeric|)
  bool f64 = true;          // the cpu implementation accepts f64
  bool uses_rng = false;    // depends on a generator key (dropout): no framework reference
  bool half = false;        // runs with bf16 activations on cuda
};

struct Support {
  bool ok = true;
  std::string why;  // when !ok: e.g. "f64 runs on the cpu backend only"
};
Support case_support(const OpCase& c, Device dev, DType real);

// Every case, in a fixed order.
std::vector<OpCase> all_op_cases();

// Seeded inputs (Philox: the same on every platform) and upstream gradients for the diff outputs.
HostMap make_inputs(const OpCase& c, uint64_t seed);
HostMap make_output_grads(const OpCase& c, uint64_t seed);

// The dtype a tensor of `s` gets in a run of real dtype `real`.
DType spec_dtype(const TensorSpec& s, DType real);
// Rounds to bf16 the values of every tensor in m (named by specs) that is bf16 in a half run, so an
// f32 reference sees exactly what a bf16 run stores.
void round_to_half(const std::vector<TensorSpec>& specs, HostMap& m);

struct CaseResult {
  HostMap outputs;       // every output
  HostMap grads;         // gradient of every diff input (when upstream gradients were given)
  HostMap inputs_after;  // every input after the run (ops update e.g. running statistics in place)
};
// Runs the forward, then (when dys is given and the case has a backward) the backward, on ctx's
// device in dtype `real` (f32, f64, or bf16 for half cases on cuda), and copies everything back to the host.
CaseResult run_case(Ctx& ctx, const OpCase& c, DType real, const HostMap& inputs, const HostMap* dys);

}  // namespace aws::test
