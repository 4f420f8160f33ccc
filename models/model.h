// A network instance planned for one batch size on one device: its state arena (parameters, BN running
// statistics, and whatever optimizer state is declared before commit), its gradient arena (every
// parameter's f32 gradient, contiguous: what a data-parallel step all-reduces in one call), its
// workspace arena (activations, the input/label buffers and the loss head).
// Life cycle: create_model() lays out the arenas → the optimizer declares its state → commit() →
// init_params(); then forward/backward any number of times without allocating.
#pragma once
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/optim/optimizer.h"
#include "models/layers.h"

namespace aws {

struct ModelSpec {
  std::string name = "resnet20";  // resnet18 | resnet20 | resnet32 | wrn-D-K (e.g. wrn-28-10, wrn-40-2)
  int h = 28, w = 28, c = 1;      // input image size
  int classes = 10;
  float bn_momentum = 0.1f;       // PyTorch convention (SPEC §6 uses 0.5 in the search)
  // Activation storage: f32, or bf16 = the cuda half-precision mode (convolutions on bf16 tensor
  // cores with f32 accumulation; f32 master weights, gradients, BN statistics, optimizer state and
  // classifier). The state arena is the same in both modes, so checkpoints load into either.
  DType act = DType::f32;
  // Initialization only (not part of the architecture, not stored in model files): the last BN γ of
  // each residual block starts at 0 where the family marks one (bottleneck ResNets).
  bool zero_init_residual = false;
};

class Model {
 public:
  Model(Device dev, const ModelSpec& spec, int64_t batch);
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // input [batch,H,W,C] → head.logits; n ≤ batch images (views, no copies). step_key (i32[2] on the
  // model's device, the staged step inputs' key: train/step_inputs.h) is what stochastic layers
  // (dropout, Shake-Shake, ShakeDrop) draw from, read when the kernels run so a replayed CUDA graph
  // draws anew each step; no layer of today's networks draws, and evaluation passes its staged key too.
  virtual void forward(Ctx& ctx, int64_t n, bool train, const Tensor& step_key) = 0;
  // head.dlogits → every gradient in params.
  virtual void backward(Ctx& ctx, int64_t n) = 0;

  void commit(Ctx& ctx);                 // allocates the three arenas (one allocation each)
  void init_params(Ctx& ctx, uint64_t seed);  // SPEC §11: Kaiming-normal fan_out, linear N(0, 1/in), BN 1/0
  int64_t num_params() const;            // trainable scalars
  // Bytes at the start of the state arena that belong to the network (parameters + BN statistics);
  // optimizer state, declared later, follows them. A checkpoint for evaluation needs only these.
  size_t network_state_bytes() const { return network_state_bytes_; }

  const ModelSpec spec;
  const int64_t batch;
  Arena state;
  Arena grads;  // f32 parameter gradients only, in params' order: grads.base(), grads.bytes()
  Arena work;
  ParamList params;
  BufferList buffers;  // BN running statistics, PyTorch's names
  Tensor input;    // [batch,H,W,C] f32, written by the augmentation pass
  Tensor input_act;  // bf16 mode only: `input` cast to bf16 at the start of forward (what the stem reads)
  Tensor labels;   // [batch] i32
  Tensor loss;     // [1] f32
  Tensor correct;  // [1] i32
  Tensor scratch;  // largest activation (activation dtype), reused by backward to sum gradients
  Head head;

 protected:
  NetArenas arenas() { return NetArenas{state, grads, work, params, buffers, batch, spec.act}; }
  // The stem's input, n rows: `input`, or in bf16 mode `input_act`, which stem_input() first fills.
  Tensor stem_input(Ctx& ctx, int64_t n);
  Tensor stem_input(int64_t n) const;  // backward: as filled by this step's forward
  int64_t scratch_elems_ = 0;
  size_t network_state_bytes_ = 0;
  std::vector<Tensor*> zero_init_gammas;  // γ set to 0 by init_params under spec.zero_init_residual
  void need_scratch(int64_t elems) { scratch_elems_ = std::max(scratch_elems_, elems); }
  void declare_io();  // input(_act), labels, loss, correct, scratch: call at the end of the constructor
};

// Throws UserError naming `flag` for an unknown model name.
std::unique_ptr<Model> create_model(const ModelSpec& spec, int64_t batch, Device dev,
                                    const std::string& flag = "--model");
std::vector<std::string> model_names();

}  // namespace aws
