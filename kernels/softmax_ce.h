// softmax_ce: the cuda launchers (kernels/softmax_ce.cu) and the parameters they share with the facade;
// the checked facade is engine/ops/softmax_ce.h, the cpu version engine/ops/softmax_ce_cpu.cpp.
#pragma once
#include "core/context.h"
#include "core/tensor.h"

namespace aws {

struct SoftmaxCEParams {
  float label_smoothing = 0.0f;
};

void softmax_ce_forward_backward_cuda(Ctx& ctx, const SoftmaxCEParams& p, const Tensor& logits,
                                      const Tensor& labels, Tensor& loss, Tensor& dlogits, Tensor& correct);
void count_correct_cuda(Ctx& ctx, const Tensor& logits, const Tensor& labels, Tensor& correct);

}  // namespace aws
