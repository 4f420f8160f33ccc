// The op cases themselves: a few lines each, every op forward and backward through its facade.
// Shapes are small (the gradient checker perturbs every input element) but cover partial channel
// blocks, padding, strides and both label-smoothing settings.
#include <string>

#include "engine/runtime/memory.h"
#include "engine/ops/add.h"
#include "engine/ops/batchnorm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dropout.h"
#include "engine/ops/linear.h"
#include "engine/ops/pool.h"
#include "engine/ops/relu.h"
#include "engine/ops/softmax_ce.h"
#include "tests/support/op_cases.h"

namespace aws::test {

namespace {

std::string shape_str(const Shape& s) { return s.str(); }

TensorSpec real_in(std::string name, Shape s, bool diff = true) { return TensorSpec{std::move(name), s, Kind::real, diff}; }
TensorSpec real_out(std::string name, Shape s, bool diff = true) { return TensorSpec{std::move(name), s, Kind::real, diff}; }
TensorSpec uniform_in(std::string name, Shape s, double lo, double hi, bool diff) {
  return TensorSpec{std::move(name), s, Kind::real, diff, Gen::uniform, lo, hi};
}

// Per-channel parameters and statistics stay f32 next to bf16 activations.
TensorSpec f32_in_half(TensorSpec s) {
  s.f32_in_half = true;
  return s;
}

void copy_grad(Env& e, const std::string& out, const std::string& in) {
  mem_copy(e.ctx, e.dx(in).data, e.dy(out).data, e.dy(out).bytes(),
           CopyKind::dev_to_dev);
}

OpCase relu_case(Shape s) {
  OpCase c;
  c.name = "relu " + shape_str(s);
  c.op = "relu";
  c.inputs = {real_in("x", s)};
  c.outputs = {real_out("y", s)};
  c.forward = [](Env& e) { relu_forward(e.ctx, {.x = e.in("x"), .y = e.out("y")}); };
  c.backward = [](Env& e) { relu_backward(e.ctx, {.y = e.out("y"), .dy = e.dy("y"), .dx = e.dx("x")}); };
  c.kink_outputs = {"y"};
  c.f64 = false;  // relu's facade takes f32 only: checked in f32 with a coarse step
  return c;
}

OpCase add_case(Shape s) {
  OpCase c;
  c.name = "add " + shape_str(s);
  c.op = "add";
  c.inputs = {real_in("a", s), real_in("b", s)};
  c.outputs = {real_out("y", s)};
  c.forward = [](Env& e) { add_forward(e.ctx, {.a = e.in("a"), .b = e.in("b"), .y = e.out("y")}); };
  c.backward = [](Env& e) {  // the identity on both inputs (add.h has no backward to call)
    copy_grad(e, "y", "a");
    copy_grad(e, "y", "b");
  };
  c.half = true;
  return c;
}

OpCase batchnorm_train_case(Shape s, bool residual, bool relu) {
  BatchNormParams p;
  p.relu = relu;
  p.momentum = 0.1f;
  p.eps = 1e-5f;
  const Shape ch{s[3]};
  OpCase c;
  c.name = std::string("batchnorm/train") + (residual ? "/res" : "") + (relu ? "/relu" : "") + " " + shape_str(s);
  c.op = "batchnorm_train";
  c.params = {{"eps", p.eps}, {"momentum", p.momentum}, {"relu", relu}, {"residual", residual}};
  c.inputs = {TensorSpec{"x", s, Kind::real, true, Gen::normal, 0.5, 2.0},
              f32_in_half(uniform_in("gamma", ch, 0.5, 1.5, true)), f32_in_half(real_in("beta", ch)),
              f32_in_half(TensorSpec{"running_mean", ch, Kind::real, false, Gen::normal, 0, 0.3}),
              f32_in_half(uniform_in("running_var", ch, 0.5, 2.0, false))};
  if (residual) c.inputs.push_back(real_in("residual", s));
  c.outputs = {real_out("y", s), f32_in_half(real_out("save_mean", ch, false)),
               f32_in_half(real_out("save_invstd", ch, false))};
  c.forward = [p, residual](Env& e) {
    batchnorm_forward_train(e.ctx, p, {.x = e.in("x"), .gamma = e.in("gamma"), .beta = e.in("beta"),
                                       .running_mean = e.in("running_mean"), .running_var = e.in("running_var"),
                                       .save_mean = e.out("save_mean"), .save_invstd = e.out("save_invstd"),
                                       .y = e.out("y"), .residual = residual ? &e.in("residual") : nullptr});
  };
  c.backward = [p, residual](Env& e) {
    batchnorm_backward(e.ctx, p, {.x = e.in("x"), .y = e.out("y"), .dy = e.dy("y"), .gamma = e.in("gamma"),
                                  .save_mean = e.out("save_mean"), .save_invstd = e.out("save_invstd"),
                                  .dx = e.dx("x"), .dgamma = e.dx("gamma"), .dbeta = e.dx("beta"),
                                  .dresidual = residual ? &e.dx("residual") : nullptr});
  };
  if (relu) c.kink_outputs = {"y"};
  c.grad_eps = 1e-5;
  c.grad_tol = 1e-6;
  c.half = true;
  return c;
}

OpCase batchnorm_eval_case(Shape s, bool residual, bool relu) {
  BatchNormParams p;
  p.relu = relu;
  const Shape ch{s[3]};
  OpCase c;
  c.name = std::string("batchnorm/eval") + (residual ? "/res" : "") + (relu ? "/relu" : "") + " " + shape_str(s);
  c.op = "batchnorm_eval";
  c.params = {{"eps", p.eps}, {"momentum", p.momentum}, {"relu", relu}, {"residual", residual}};
  c.inputs = {real_in("x", s, false), f32_in_half(uniform_in("gamma", ch, 0.5, 1.5, false)),
              f32_in_half(real_in("beta", ch, false)),
              f32_in_half(TensorSpec{"running_mean", ch, Kind::real, false, Gen::normal, 0, 0.3}),
              f32_in_half(uniform_in("running_var", ch, 0.5, 2.0, false))};
  if (residual) c.inputs.push_back(real_in("residual", s, false));
  c.outputs = {real_out("y", s, false)};
  c.forward = [p, residual](Env& e) {
    batchnorm_forward_eval(e.ctx, p, {.x = e.in("x"), .gamma = e.in("gamma"), .beta = e.in("beta"),
                                      .running_mean = e.in("running_mean"), .running_var = e.in("running_var"),
                                      .y = e.out("y"), .residual = residual ? &e.in("residual") : nullptr});
  };
  c.half = true;
  return c;  // forward only: the fused backward is defined for batch statistics
}

OpCase global_avgpool_case(Shape s) {
  OpCase c;
  c.name = "global_avgpool " + shape_str(s);
  c.op = "global_avgpool";
  c.inputs = {real_in("x", s)};
  c.outputs = {f32_in_half(real_out("y", Shape{s[0], s[3]}))};  // pooled vectors feed the f32 classifier
  c.forward = [](Env& e) { global_avgpool_forward(e.ctx, {.x = e.in("x"), .y = e.out("y")}); };
  c.backward = [](Env& e) { global_avgpool_backward(e.ctx, {.dy = e.dy("y"), .dx = e.dx("x")}); };
  c.half = true;
  return c;
}

OpCase maxpool_case(Shape s, int k, int stride, int pad) {
  MaxPoolParams p{k, stride, pad};
  const Shape o{s[0], (s[1] + 2 * pad - k) / stride + 1, (s[2] + 2 * pad - k) / stride + 1, s[3]};
  OpCase c;
  c.name = "maxpool k" + std::to_string(k) + "s" + std::to_string(stride) + "p" + std::to_string(pad) + " " + shape_str(s);
  c.op = "maxpool";
  c.params = {{"kernel", k}, {"stride", stride}, {"pad", pad}};
  c.inputs = {real_in("x", s)};
  c.outputs = {real_out("y", o), TensorSpec{"argmax", o, Kind::i32, false}};
  c.forward = [p](Env& e) { maxpool_forward(e.ctx, p, {.x = e.in("x"), .y = e.out("y"), .argmax = e.out("argmax")}); };
  c.backward = [p](Env& e) {
    maxpool_backward(e.ctx, p, {.dy = e.dy("y"), .argmax = e.out("argmax"), .dx = e.dx("x")});
  };
  c.kink_outputs = {"argmax"};
  return c;
}

OpCase softmax_ce_case(int64_t N, int64_t K, float smoothing) {
  SoftmaxCEParams p{smoothing};
  OpCase c;
  c.name = "softmax_ce ls=" + std::to_string(smoothing).substr(0, 4) + " [" + std::to_string(N) + "," + std::to_string(K) + "]";
  c.op = "softmax_ce";
  c.params = {{"label_smoothing", smoothing}};
  c.inputs = {TensorSpec{"logits", Shape{N, K}, Kind::real, true, Gen::normal, 0, 2},
              TensorSpec{"labels", Shape{N}, Kind::i32, false, Gen::labels, 0, double(K)}};
  c.outputs = {real_out("loss", Shape{1}), real_out("dlogits", Shape{N, K}, false),
               TensorSpec{"correct", Shape{1}, Kind::i32, false}};
  c.forward = [p](Env& e) {
    softmax_ce_forward_backward(e.ctx, p, {.logits = e.in("logits"), .labels = e.in("labels"), .loss = e.out("loss"),
                                           .dlogits = e.out("dlogits"), .correct = e.out("correct")});
  };
  c.backward = [](Env& e) {  // the op already produced d(loss)/dlogits; chain the upstream scalar
    const double g = e.read(e.dy("loss"))[0];
    auto d = e.read(e.out("dlogits"));
    for (double& v : d) v *= g;
    e.write(e.dx("logits"), d);
  };
  return c;
}

// The step key is an input like any other (i32[2], drawn from the case's seed), so every backend and the
// gradient checker see the same mask.
OpCase dropout_case(Shape s, float prob, uint32_t layer) {
  DropoutParams p{prob, layer};
  OpCase c;
  c.name = "dropout p=" + std::to_string(prob).substr(0, 4) + " " + shape_str(s);
  c.op = "dropout";
  c.params = {{"p", prob}};
  c.inputs = {real_in("x", s), TensorSpec{"key", Shape{2}, Kind::i32, false, Gen::labels, 0, 2147483647.0}};
  c.outputs = {real_out("y", s), TensorSpec{"mask", s, Kind::u8, false}};
  c.forward = [p](Env& e) {
    dropout_forward(e.ctx, p, {.key = e.in("key"), .x = e.in("x"), .y = e.out("y"), .mask = e.out("mask")});
  };
  c.backward = [p](Env& e) { dropout_backward(e.ctx, p, {.dy = e.dy("y"), .mask = e.out("mask"), .dx = e.dx("x")}); };
  c.uses_rng = true;
  return c;
}

OpCase conv2d_case(Shape x, int64_t K, int64_t R, int stride, int pad) {
  Conv2dParams p{stride, pad};
  const Shape w{K, R, R, x[3]};
  const Shape y{x[0], conv2d_out_size(x[1], R, stride, pad), conv2d_out_size(x[2], R, stride, pad), K};
  OpCase c;
  c.name = "conv2d " + std::to_string(R) + "x" + std::to_string(R) + " s" + std::to_string(stride) + "p" +
           std::to_string(pad) + " " + shape_str(x) + "->" + shape_str(y);
  c.op = "conv2d";
  c.params = {{"stride", stride}, {"pad", pad}};
  c.inputs = {real_in("x", x), TensorSpec{"w", w, Kind::real, true, Gen::normal, 0, 0.5}};
  c.outputs = {real_out("y", y)};
  c.forward = [p](Env& e) { conv2d_forward(e.ctx, p, {.x = e.in("x"), .w = e.in("w"), .y = e.out("y")}); };
  c.backward = [p](Env& e) {
    conv2d_backward_data(e.ctx, p, {.dy = e.dy("y"), .w = e.in("w"), .dx = e.dx("x")});
    conv2d_backward_weights(e.ctx, p, {.x = e.in("x"), .dy = e.dy("y"), .dw = e.dx("w")});
  };
  c.half = true;
  return c;
}

OpCase linear_case(int64_t N, int64_t in, int64_t out, bool bias) {
  OpCase c;
  c.name = std::string("linear") + (bias ? "" : "/nobias") + " [" + std::to_string(N) + "," + std::to_string(in) +
           "]->[" + std::to_string(N) + "," + std::to_string(out) + "]";
  c.op = "linear";
  c.params = {{"bias", bias}};
  c.inputs = {real_in("x", Shape{N, in}), TensorSpec{"w", Shape{out, in}, Kind::real, true, Gen::normal, 0, 0.5}};
  if (bias) c.inputs.push_back(real_in("b", Shape{out}));
  c.outputs = {real_out("y", Shape{N, out})};
  c.forward = [bias](Env& e) { linear_forward(e.ctx, {.x = e.in("x"), .w = e.in("w"), .y = e.out("y"),
                                                      .b = bias ? &e.in("b") : nullptr}); };
  c.backward = [bias](Env& e) {
    linear_backward(e.ctx, {.x = e.in("x"), .w = e.in("w"), .dy = e.dy("y"), .dw = e.dx("w"), .dx = &e.dx("x"),
                            .db = bias ? &e.dx("b") : nullptr});
  };
  return c;
}

}  // namespace

std::vector<OpCase> all_op_cases() {
  std::vector<OpCase> v;
  v.push_back(relu_case(Shape{2, 5, 5, 3}));
  for (bool res : {false, true})
    for (bool relu : {false, true}) v.push_back(batchnorm_train_case(Shape{3, 4, 5, 11}, res, relu));
  v.push_back(batchnorm_train_case(Shape{2, 3, 3, 4}, true, true));
  for (bool res : {false, true})
    for (bool relu : {false, true}) v.push_back(batchnorm_eval_case(Shape{2, 4, 3, 10}, res, relu));
  v.push_back(add_case(Shape{2, 3, 4, 5}));
  v.push_back(global_avgpool_case(Shape{3, 4, 5, 7}));
  v.push_back(maxpool_case(Shape{2, 7, 7, 5}, 3, 2, 1));
  v.push_back(maxpool_case(Shape{2, 6, 8, 3}, 2, 2, 0));
  v.push_back(softmax_ce_case(7, 10, 0.0f));
  v.push_back(softmax_ce_case(7, 10, 0.05f));
  v.push_back(dropout_case(Shape{2, 4, 4, 6}, 0.3f, 3));
  v.push_back(conv2d_case(Shape{2, 6, 6, 3}, 4, 3, 1, 1));
  v.push_back(conv2d_case(Shape{2, 7, 7, 3}, 5, 3, 2, 1));
  v.push_back(conv2d_case(Shape{2, 6, 6, 4}, 3, 1, 2, 0));
  v.push_back(linear_case(5, 7, 4, true));
  v.push_back(linear_case(3, 6, 2, false));
  return v;
}

}  // namespace aws::test
