// The chain of residual blocks the ResNet families share: forward through every block in order, and
// backward in reverse, each block's input gradient landing in the previous block's output gradient
// (the first block's in the stem's, or its pool's). A Block has forward(ctx, x, n, train),
// backward(ctx, x, dx, scratch, n), out() and dout().
#pragma once
#include <vector>

#include "engine/ops/add.h"
#include "models/layers.h"

namespace aws {

// The backward of a block's first convolution, `first`, when dx (the block's input gradient; null:
// none wanted) already holds the shortcut's part: its own part goes through `scratch` (at least dx's
// size) and is added to dx.
inline void first_conv_backward_sum(Ctx& ctx, ConvBN& first, const Tensor& x, Tensor* dx, Tensor& scratch,
                                    int64_t n) {
  if (!dx) return first.backward(ctx, x, nullptr, nullptr, n);
  Tensor s(scratch.data, dx->shape, dx->dtype, dx->device);
  first.backward(ctx, x, &s, nullptr, n);
  Tensor dxv = rows(*dx, n), sv = rows(s, n);
  add_forward(ctx, {.a = dxv, .b = sv, .y = dxv});
}

// Runs the blocks on `in`; returns the last block's output.
template <class Block>
const Tensor& forward_chain(Ctx& ctx, std::vector<Block>& blocks, const Tensor& in, int64_t n, bool train) {
  const Tensor* prev = &in;
  for (Block& b : blocks) {
    b.forward(ctx, rows(*prev, n), n, train);
    prev = &b.out();
  }
  return *prev;
}

// The last block's dout holds the gradient wrt the chain's output; `din` receives the input's.
template <class Block>
void backward_chain(Ctx& ctx, std::vector<Block>& blocks, Tensor& in, Tensor& din, Tensor& scratch, int64_t n) {
  for (size_t i = blocks.size(); i-- > 0;) {
    Tensor& x = i ? blocks[i - 1].out() : in;
    Tensor& dx = i ? blocks[i - 1].dout() : din;
    blocks[i].backward(ctx, rows(x, n), &dx, scratch, n);
  }
}

}  // namespace aws
