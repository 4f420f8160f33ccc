#include "models/layers.h"

#include "engine/ops/add.h"
#include "engine/ops/cast.h"
#include "engine/ops/linear.h"
#include "engine/ops/pool.h"

namespace aws {

Tensor rows(const Tensor& t, int64_t n) {
  Tensor v = t;
  v.shape.d[0] = n;
  return v;
}

static void declare_bn_params(NetArenas& a, const std::string& name, int64_t c, Tensor& gamma, Tensor& beta,
                              Tensor& rm, Tensor& rv, Tensor& dgamma, Tensor& dbeta) {
  a.state.add(&gamma, Shape{c}, DType::f32);
  a.state.add(&beta, Shape{c}, DType::f32);
  a.state.add(&rm, Shape{c}, DType::f32);
  a.state.add(&rv, Shape{c}, DType::f32);
  a.buffers.push_back({name + ".bn.running_mean", &rm});
  a.buffers.push_back({name + ".bn.running_var", &rv});
  a.grads.add(&dgamma, Shape{c}, DType::f32);
  a.grads.add(&dbeta, Shape{c}, DType::f32);
  a.params.push_back({name + ".bn.weight", &gamma, &dgamma, false});
  a.params.push_back({name + ".bn.bias", &beta, &dbeta, false});
}

void declare_grad(NetArenas& a, Tensor& t, const std::string& slot, Shape s) {
  if (slot.empty()) a.work.add(&t, s, a.act);
  else a.work.add_shared(&t, slot, s, a.act);
}

void ConvWeights::declare(NetArenas& a, const std::string& name, Shape s) {
  half = a.act == DType::bf16;
  a.state.add(&w, s, DType::f32);
  a.grads.add(&dw, s, DType::f32);
  a.params.push_back({name + ".conv.weight", &w, &dw, true});
  if (half) {
    a.work.add(&wh, s, DType::bf16);
    a.work.add(&dwh, s, DType::bf16);
  }
}

const Tensor& ConvWeights::refresh(Ctx& ctx) {
  if (half) cast(ctx, {.x = w, .y = wh});
  return run();
}

void ConvWeights::finish_grad(Ctx& ctx) {
  if (half) cast(ctx, {.x = dwh, .y = dw});
}

void ConvBN::declare(NetArenas& a, const std::string& name, int64_t in_h, int64_t in_w, int64_t in_ch, int64_t out_ch,
                     int64_t ksize, int stride, bool relu, float bn_momentum, const std::string& dout_slot) {
  in_c = in_ch;
  out_c = out_ch;
  k = ksize;
  cp = Conv2dParams{stride, int(ksize / 2)};
  bp = BatchNormParams{1e-5f, bn_momentum, relu};
  oh = conv2d_out_size(in_h, k, cp.stride, cp.pad);
  ow = conv2d_out_size(in_w, k, cp.stride, cp.pad);
  wt.declare(a, name, Shape{out_c, k, k, in_c});
  declare_bn_params(a, name, out_c, gamma, beta, running_mean, running_var, dgamma, dbeta);
  a.work.add(&conv_out, Shape{a.batch, oh, ow, out_c}, a.act);
  a.work.add(&out, Shape{a.batch, oh, ow, out_c}, a.act);
  declare_grad(a, dout, dout_slot, Shape{a.batch, oh, ow, out_c});
  a.work.add(&save_mean, Shape{out_c}, DType::f32);
  a.work.add(&save_invstd, Shape{out_c}, DType::f32);
}

void ConvBN::forward(Ctx& ctx, const Tensor& x, const Tensor* residual, int64_t n, bool train) {
  Tensor co = rows(conv_out, n), o = rows(out, n);
  conv2d_forward(ctx, cp, {.x = x, .w = wt.refresh(ctx), .y = co});
  Tensor r;
  if (residual) r = rows(*residual, n);
  if (train)
    batchnorm_forward_train(ctx, bp, {.x = co, .gamma = gamma, .beta = beta, .running_mean = running_mean,
                                      .running_var = running_var, .save_mean = save_mean, .save_invstd = save_invstd,
                                      .y = o, .residual = residual ? &r : nullptr});
  else
    batchnorm_forward_eval(ctx, bp, {.x = co, .gamma = gamma, .beta = beta, .running_mean = running_mean,
                                     .running_var = running_var, .y = o, .residual = residual ? &r : nullptr});
}

void ConvBN::backward(Ctx& ctx, const Tensor& x, Tensor* dx, Tensor* dresidual, int64_t n) {
  Tensor co = rows(conv_out, n), o = rows(out, n), d = rows(dout, n);
  Tensor dr;
  if (dresidual) dr = rows(*dresidual, n);
  batchnorm_backward(ctx, bp, {.x = co, .y = o, .dy = d, .gamma = gamma, .save_mean = save_mean,
                               .save_invstd = save_invstd, .dx = d, .dgamma = dgamma, .dbeta = dbeta,
                               .dresidual = dresidual ? &dr : nullptr});
  conv2d_backward_weights(ctx, cp, {.x = x, .dy = d, .dw = wt.grad_target()});
  wt.finish_grad(ctx);
  if (dx) {
    Tensor dxv = rows(*dx, n);
    conv2d_backward_data(ctx, cp, {.dy = d, .w = wt.run(), .dx = dxv});
  }
}

void BNAct::declare(NetArenas& a, const std::string& name, int64_t h, int64_t w, int64_t c, bool relu,
                    float bn_momentum, const std::string& dout_slot) {
  bp = BatchNormParams{1e-5f, bn_momentum, relu};
  declare_bn_params(a, name, c, gamma, beta, running_mean, running_var, dgamma, dbeta);
  a.work.add(&out, Shape{a.batch, h, w, c}, a.act);
  declare_grad(a, dout, dout_slot, Shape{a.batch, h, w, c});
  a.work.add(&save_mean, Shape{c}, DType::f32);
  a.work.add(&save_invstd, Shape{c}, DType::f32);
}

void BNAct::forward(Ctx& ctx, const Tensor& x, int64_t n, bool train) {
  Tensor o = rows(out, n);
  if (train)
    batchnorm_forward_train(ctx, bp, {.x = x, .gamma = gamma, .beta = beta, .running_mean = running_mean,
                                      .running_var = running_var, .save_mean = save_mean, .save_invstd = save_invstd,
                                      .y = o});
  else
    batchnorm_forward_eval(ctx, bp, {.x = x, .gamma = gamma, .beta = beta, .running_mean = running_mean,
                                     .running_var = running_var, .y = o});
}

void BNAct::backward(Ctx& ctx, const Tensor& x, Tensor& dx, int64_t n) {
  Tensor o = rows(out, n), d = rows(dout, n), dxv = rows(dx, n);
  batchnorm_backward(ctx, bp, {.x = x, .y = o, .dy = d, .gamma = gamma, .save_mean = save_mean,
                               .save_invstd = save_invstd, .dx = dxv, .dgamma = dgamma, .dbeta = dbeta});
}

void Conv::declare(NetArenas& a, const std::string& name, int64_t in_h, int64_t in_w, int64_t in_ch, int64_t out_ch,
                   int64_t ksize, int stride,
                   const std::string& dout_slot) {
  in_c = in_ch;
  out_c = out_ch;
  k = ksize;
  cp = Conv2dParams{stride, int(ksize / 2)};
  oh = conv2d_out_size(in_h, k, cp.stride, cp.pad);
  ow = conv2d_out_size(in_w, k, cp.stride, cp.pad);
  wt.declare(a, name, Shape{out_c, k, k, in_c});
  a.work.add(&out, Shape{a.batch, oh, ow, out_c}, a.act);
  declare_grad(a, dout, dout_slot, Shape{a.batch, oh, ow, out_c});
}

void Conv::forward(Ctx& ctx, const Tensor& x, int64_t n) {
  Tensor o = rows(out, n);
  conv2d_forward(ctx, cp, {.x = x, .w = wt.refresh(ctx), .y = o});
}

void Conv::backward(Ctx& ctx, const Tensor& x, Tensor* dx, int64_t n) {
  Tensor d = rows(dout, n);
  conv2d_backward_weights(ctx, cp, {.x = x, .dy = d, .dw = wt.grad_target()});
  wt.finish_grad(ctx);
  if (dx) {
    Tensor dxv = rows(*dx, n);
    conv2d_backward_data(ctx, cp, {.dy = d, .w = wt.run(), .dx = dxv});
  }
}

void MaxPool::declare(NetArenas& a, int64_t h, int64_t w, int64_t c, const std::string& dout_slot) {
  mp = MaxPoolParams{3, 2, 1};
  oh = (h + 2 * mp.pad - mp.kernel) / mp.stride + 1;
  ow = (w + 2 * mp.pad - mp.kernel) / mp.stride + 1;
  a.work.add(&out, Shape{a.batch, oh, ow, c}, a.act);
  a.work.add(&argmax, Shape{a.batch, oh, ow, c}, DType::i32);
  declare_grad(a, dout, dout_slot, Shape{a.batch, oh, ow, c});
}

void MaxPool::forward(Ctx& ctx, const Tensor& x, int64_t n) {
  Tensor o = rows(out, n), am = rows(argmax, n);
  maxpool_forward(ctx, mp, {.x = x, .y = o, .argmax = am});
}

void MaxPool::backward(Ctx& ctx, Tensor& dx, int64_t n) {
  Tensor d = rows(dout, n), am = rows(argmax, n), dxv = rows(dx, n);
  maxpool_backward(ctx, mp, {.dy = d, .argmax = am, .dx = dxv});
}

void Head::declare(NetArenas& a, int64_t c, int64_t classes) {
  a.state.add(&w, Shape{classes, c}, DType::f32);
  a.state.add(&b, Shape{classes}, DType::f32);
  a.grads.add(&dw, Shape{classes, c}, DType::f32);
  a.grads.add(&db, Shape{classes}, DType::f32);
  a.params.push_back({"fc.weight", &w, &dw, true});
  a.params.push_back({"fc.bias", &b, &db, false});
  a.work.add(&pooled, Shape{a.batch, c}, DType::f32);
  a.work.add(&dpooled, Shape{a.batch, c}, DType::f32);
  a.work.add(&logits, Shape{a.batch, classes}, DType::f32);
  a.work.add(&dlogits, Shape{a.batch, classes}, DType::f32);
}

void Head::forward(Ctx& ctx, const Tensor& features, int64_t n) {
  Tensor p = rows(pooled, n), l = rows(logits, n);
  global_avgpool_forward(ctx, {.x = features, .y = p});
  linear_forward(ctx, {.x = p, .w = w, .y = l, .b = &b});
}

void Head::backward(Ctx& ctx, Tensor& dfeatures, int64_t n) {
  Tensor p = rows(pooled, n), dp = rows(dpooled, n), dl = rows(dlogits, n), df = rows(dfeatures, n);
  linear_backward(ctx, {.x = p, .w = w, .dy = dl, .dw = dw, .dx = &dp, .db = &db});
  global_avgpool_backward(ctx, {.dy = dp, .dx = df});
}

}  // namespace aws
