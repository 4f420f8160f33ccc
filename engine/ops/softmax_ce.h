// Softmax cross-entropy with label smoothing, fused forward + backward (the training head), and the
// evaluation head that only counts correct predictions.
// Smoothed target: (1 − ε)·onehot + ε/K (PyTorch's label_smoothing). Loss is the batch mean.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/softmax_ce.h"

namespace aws {

// logits [N,K] f32, labels [N] i32 → loss [1] (mean over N), dlogits [N,K] = d(mean loss)/dlogits,
// correct [1] i32 = number of rows whose argmax equals the label. Results stay on the device.
void softmax_ce_forward_backward(Ctx& ctx, const SoftmaxCEParams& p, const SoftmaxCEArgs& a);
// correct [1] i32 += number of rows whose argmax equals the label (accumulates across batches).
void count_correct(Ctx& ctx, const CountCorrectArgs& a);

void softmax_ce_forward_backward_cpu(Ctx& ctx, const SoftmaxCEParams& p, const SoftmaxCEArgs& a);
void count_correct_cpu(Ctx& ctx, const CountCorrectArgs& a);

}  // namespace aws
