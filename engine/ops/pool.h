// Pooling: global average pool (the ResNet head) and max-pool (ImageNet stems). NHWC.
#pragma once
#include "core/context.h"
#include "core/tensor.h"
#include "kernels/pool.h"

namespace aws {

// x [N,H,W,C] → y [N,C]; backward spreads dy/(H·W) (dx overwritten).
void global_avgpool_forward(Ctx& ctx, const GlobalAvgPoolForwardArgs& a);
void global_avgpool_backward(Ctx& ctx, const GlobalAvgPoolBackwardArgs& a);

// x [N,H,W,C] → y [N,P,Q,C]; argmax (i32, like y) holds the flat h·W+w of each maximum in x's plane.
// Padding never wins (it is −inf). Backward scatters dy into dx (overwritten).
void maxpool_forward(Ctx& ctx, const MaxPoolParams& p, const MaxPoolForwardArgs& a);
void maxpool_backward(Ctx& ctx, const MaxPoolParams& p, const MaxPoolBackwardArgs& a);

void global_avgpool_forward_cpu(Ctx& ctx, const GlobalAvgPoolForwardArgs& a);
void global_avgpool_backward_cpu(Ctx& ctx, const GlobalAvgPoolBackwardArgs& a);
void maxpool_forward_cpu(Ctx& ctx, const MaxPoolParams& p, const MaxPoolForwardArgs& a);
void maxpool_backward_cpu(Ctx& ctx, const MaxPoolParams& p, const MaxPoolBackwardArgs& a);

}  // namespace aws
