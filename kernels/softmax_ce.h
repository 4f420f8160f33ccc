// softmax_ce: the cuda launchers (kernels/softmax_ce.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/softmax_ce.h, the cpu version engine/ops/softmax_ce_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

struct SoftmaxCEParams {
  float label_smoothing = 0.0f;
};

// The training head's tensors, named at the call site: logits [N,K] f32, labels [N] i32 → loss [1]
// (mean over N), dlogits [N,K] = d(mean loss)/dlogits, correct [1] i32 = rows whose argmax is the label.
struct SoftmaxCEArgs {
  const Tensor& logits;
  const Tensor& labels;
  Tensor& loss;
  Tensor& dlogits;
  Tensor& correct;
};

void softmax_ce_forward_backward_cuda(Ctx& ctx, const SoftmaxCEParams& p, const SoftmaxCEArgs& a);
// correct [1] i32 += rows whose argmax equals the label.
struct CountCorrectArgs {
  const Tensor& logits;
  const Tensor& labels;
  Tensor& correct;
};

void count_correct_cuda(Ctx& ctx, const CountCorrectArgs& a);

}  // namespace aws
