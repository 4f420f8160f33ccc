// Softmax cross-entropy facades: check shapes, dtypes and the smoothing, dispatch to the backend.
#include "engine/ops/softmax_ce.h"

#include <string>

#include "core/cuda_dispatch.h"
#include "engine/ops/real_dtype.h"

namespace aws {

static void check_logits_labels(const char* op, Ctx& ctx, const Tensor& logits, const Tensor& labels,
                                 const Tensor& correct) {
  check_real_dtype(op, ctx, "logits", logits);
  check_rank(op, "logits", logits, 2);
  if (logits.dim(0) < 1 || logits.dim(1) < 1) throw Error(std::string(op) + ": logits " + logits.shape.str() + " is empty");
  check_shape(op, "labels", labels, Shape{logits.dim(0)});
  check_dtype(op, "labels", labels, DType::i32);
  check_shape(op, "correct", correct, Shape{1});
  check_dtype(op, "correct", correct, DType::i32);
}

void softmax_ce_forward_backward(Ctx& ctx, const SoftmaxCEParams& p, const SoftmaxCEArgs& a) {
  const char* op = "softmax_ce_forward_backward";
  if (!(p.label_smoothing >= 0.f && p.label_smoothing <= 1.f))
    throw Error(std::string(op) + ": label_smoothing " + std::to_string(p.label_smoothing) + " is outside [0, 1]");
  check_logits_labels(op, ctx, a.logits, a.labels, a.correct);
  check_shape(op, "loss", a.loss, Shape{1});
  check_dtype(op, "loss", a.loss, a.logits.dtype);
  check_shape(op, "dlogits", a.dlogits, a.logits.shape);
  check_dtype(op, "dlogits", a.dlogits, a.logits.dtype);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(softmax_ce_forward_backward_cuda, (ctx, p, a));
  softmax_ce_forward_backward_cpu(ctx, p, a);
}

void count_correct(Ctx& ctx, const CountCorrectArgs& a) {
  check_logits_labels("count_correct", ctx, a.logits, a.labels, a.correct);
  if (ctx.is_cuda()) return AWS_CUDA_CALL(count_correct_cuda, (ctx, a));
  count_correct_cpu(ctx, a);
}

}  // namespace aws
