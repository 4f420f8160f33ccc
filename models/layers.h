// Building blocks of the networks: each owns its parameters (declared in the state arena), their
// gradients (the gradient arena: one contiguous block, so one all-reduce covers a step), its
// activations (the workspace arena), and calls the engine ops.
// A layer's `dout` is the gradient wrt its `out`, written by whoever consumes `out`.
// Activations and their gradients have the network's activation dtype (f32, or bf16 in the cuda
// half-precision mode); parameters, their gradients and BN statistics are always f32.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/runtime/arena.h"
#include "core/context.h"
#include "engine/ops/batchnorm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/pool.h"
#include "engine/optim/optimizer.h"

namespace aws {

// The first n rows (images) of an NHWC or [N, F] tensor: a view, no copy.
Tensor rows(const Tensor& t, int64_t n);

struct NetArenas;
// Declares a backward gradient of the activation dtype: in `slot` when named, else a buffer of its own.
void declare_grad(NetArenas& a, Tensor& t, const std::string& slot, Shape s);

// Layout of one network instance: its arenas, parameter list and the batch it is planned for.
// Backward gradients (each layer's `dout`) live only from the consumer's backward to the layer's own,
// so a model names a workspace slot for them (Arena::add_shared) wherever lives never overlap;
// an empty slot name gives the layer a buffer of its own.
struct NetArenas {
  Arena& state;
  Arena& grads;  // f32 gradients of every parameter, in parameter order
  Arena& work;
  ParamList& params;
  BufferList& buffers;  // BN running means and variances (the variances start at 1, not 0)
  int64_t batch;
  DType act;  // activation dtype
};

// A convolution's weights [K,R,S,C] (f32, state arena) and their gradient (f32, gradient arena). In the
// half-precision mode also bf16 copies of both (workspace): cuDNN convolves with `wh`, refreshed from
// the f32 master at each forward, and writes `dwh`, widened into `dw` for the optimizer.
struct ConvWeights {
  Tensor w, dw, wh, dwh;
  bool half = false;

  void declare(NetArenas& a, const std::string& name, Shape s);
  const Tensor& refresh(Ctx& ctx);                      // forward: the weights to convolve with
  const Tensor& run() const { return half ? wh : w; }   // backward: as refreshed by this step's forward
  Tensor& grad_target() { return half ? dwh : dw; }     // where the backward-weights convolution writes
  void finish_grad(Ctx& ctx);                           // bf16: dw = f32(dwh)
};

// Convolution (no bias) followed by batch-norm, with the BN's optional residual and ReLU fused.
// conv.dout shares bn's gradient buffer: the BN backward writes its dx in place (batchnorm.h allows it).
struct ConvBN {
  Conv2dParams cp;
  BatchNormParams bp;
  int64_t in_c = 0, out_c = 0, k = 0;
  int64_t oh = 0, ow = 0;
  ConvWeights wt;
  Tensor gamma, beta, running_mean, running_var;      // state
  Tensor dgamma, dbeta;                               // gradients (grads)
  Tensor conv_out, out, save_mean, save_invstd;       // activations (work)
  Tensor dout;                                        // gradient wrt out, then wrt conv_out (in place)

  void declare(NetArenas& a, const std::string& name, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c,
               int64_t k, int stride, bool relu, float bn_momentum, const std::string& dout_slot = "");
  void forward(Ctx& ctx, const Tensor& x, const Tensor* residual, int64_t n, bool train);
  // dx (optional, overwritten) receives the gradient wrt x; dresidual (optional) the gradient wrt the residual.
  void backward(Ctx& ctx, const Tensor& x, Tensor* dx, Tensor* dresidual, int64_t n);
};

// BN (+ReLU) alone, for pre-activation networks (WRN).
struct BNAct {
  BatchNormParams bp;
  Tensor gamma, beta, running_mean, running_var, dgamma, dbeta;
  Tensor out, save_mean, save_invstd, dout;

  void declare(NetArenas& a, const std::string& name, int64_t h, int64_t w, int64_t c, bool relu, float bn_momentum,
               const std::string& dout_slot = "");
  void forward(Ctx& ctx, const Tensor& x, int64_t n, bool train);
  void backward(Ctx& ctx, const Tensor& x, Tensor& dx, int64_t n);
};

// Convolution alone (no bias), for pre-activation networks.
struct Conv {
  Conv2dParams cp;
  int64_t in_c = 0, out_c = 0, k = 0, oh = 0, ow = 0;
  ConvWeights wt;
  Tensor out, dout;

  void declare(NetArenas& a, const std::string& name, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c,
               int64_t k, int stride, const std::string& dout_slot = "");
  void forward(Ctx& ctx, const Tensor& x, int64_t n);
  void backward(Ctx& ctx, const Tensor& x, Tensor* dx, int64_t n);
};

// Max-pool (the ImageNet stem's 3×3 stride 2, padding 1): x [N,H,W,C] → out [N,oh,ow,C].
struct MaxPool {
  MaxPoolParams mp;
  int64_t oh = 0, ow = 0;
  Tensor out, argmax, dout;

  void declare(NetArenas& a, int64_t h, int64_t w, int64_t c, const std::string& dout_slot = "");
  void forward(Ctx& ctx, const Tensor& x, int64_t n);
  void backward(Ctx& ctx, Tensor& dx, int64_t n);  // dx overwritten
};

// Global average pool + linear classifier: features [N,H,W,C] → logits [N,classes].
struct Head {
  Tensor w, b, dw, db;        // w [classes, C], b [classes]
  Tensor pooled, dpooled;     // [N, C]
  Tensor logits, dlogits;     // [N, classes]

  void declare(NetArenas& a, int64_t c, int64_t classes);
  void forward(Ctx& ctx, const Tensor& features, int64_t n);
  void backward(Ctx& ctx, Tensor& dfeatures, int64_t n);
};

}  // namespace aws
