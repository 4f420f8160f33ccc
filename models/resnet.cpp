// CIFAR-style ResNets with basic blocks (He et al. 2016): 3×3 stem at stride 1, no max-pool.
// ResNet-20/32: stages 16-32-64, (depth−2)/6 blocks each; ResNet-18: stages 64-128-256-512, 2 blocks
// each. Shape-changing shortcuts are 1×1 convolution + BN (type B, SPEC §11).
#include <memory>
#include <vector>

#include "models/families.h"
#include "models/residual_chain.h"

namespace aws {

namespace {

struct BasicBlock {
  ConvBN c1, c2, sc;
  bool proj = false;

  // Backward gradients in shared slots: the output's in grad.chainP (P = the block's index mod 2, so
  // the input's, the previous block's output, is in the other chain slot), the inner ones in slots that
  // every block reuses (they live only during this block's backward).
  void declare(NetArenas& a, const std::string& name, int64_t h, int64_t w, int64_t in_c, int64_t out_c, int stride,
               float mom, int parity) {
    c1.declare(a, name + ".1", h, w, in_c, out_c, 3, stride, true, mom, "grad.block.1");
    c2.declare(a, name + ".2", c1.oh, c1.ow, out_c, out_c, 3, 1, true, mom, chain_slot(parity));
    proj = stride != 1 || in_c != out_c;
    if (proj) sc.declare(a, name + ".shortcut", h, w, in_c, out_c, 1, stride, false, mom, "grad.block.shortcut");
  }
  static std::string chain_slot(int parity) { return "grad.chain" + std::to_string(parity & 1); }
  void forward(Ctx& ctx, const Tensor& x, int64_t n, bool train) {
    c1.forward(ctx, x, nullptr, n, train);
    if (proj) sc.forward(ctx, x, nullptr, n, train);
    c2.forward(ctx, rows(c1.out, n), proj ? &sc.out : &x, n, train);
  }
  // c2.dout holds the gradient wrt this block's output; dx (null for none) receives the input's.
  void backward(Ctx& ctx, const Tensor& x, Tensor* dx, Tensor& scratch, int64_t n) {
    Tensor c1o = rows(c1.out, n);
    if (proj) {
      c2.backward(ctx, c1o, &c1.dout, &sc.dout, n);
      sc.backward(ctx, x, dx, nullptr, n);
    } else {
      c2.backward(ctx, c1o, &c1.dout, dx, n);
    }
    first_conv_backward_sum(ctx, c1, x, dx, scratch, n);
  }
  Tensor& out() { return c2.out; }
  Tensor& dout() { return c2.dout; }
};

class ResNet final : public Model {
 public:
  ResNet(Device dev, const ModelSpec& s, int64_t b, std::vector<int64_t> widths, int blocks_per_stage)
      : Model(dev, s, b) {
    NetArenas a = arenas();
    stem_.declare(a, "stem", s.h, s.w, s.c, widths[0], 3, 1, true, s.bn_momentum, BasicBlock::chain_slot(1));
    need_scratch(stem_.out.numel());
    int64_t h = stem_.oh, w = stem_.ow, c = widths[0];
    blocks_.resize(widths.size() * size_t(blocks_per_stage));
    size_t bi = 0;
    for (size_t st = 0; st < widths.size(); ++st) {
      for (int k = 0; k < blocks_per_stage; ++k, ++bi) {
        int stride = (st > 0 && k == 0) ? 2 : 1;
        auto& blk = blocks_[bi];
        blk.declare(a, "layer" + std::to_string(st + 1) + "." + std::to_string(k), h, w, c, widths[st], stride,
                    s.bn_momentum, int(bi));
        need_scratch(blk.out().numel());
        h = blk.c2.oh;
        w = blk.c2.ow;
        c = widths[st];
      }
    }
    head.declare(a, c, s.classes);
    declare_io();
  }

  void forward(Ctx& ctx, int64_t n, bool train, const Tensor& /*step_key: no stochastic layer*/) override {
    stem_.forward(ctx, stem_input(ctx, n), nullptr, n, train);
    head.forward(ctx, rows(forward_chain(ctx, blocks_, stem_.out, n, train), n), n);
  }

  void backward(Ctx& ctx, int64_t n) override {
    head.backward(ctx, blocks_.back().dout(), n);
    backward_chain(ctx, blocks_, stem_.out, stem_.dout, scratch, n);
    stem_.backward(ctx, stem_input(n), nullptr, nullptr, n);
  }

 private:
  ConvBN stem_;
  std::vector<BasicBlock> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_resnet(Device dev, const ModelSpec& s, int64_t batch, int depth) {
  if (depth == 18) return std::make_unique<ResNet>(dev, s, batch, std::vector<int64_t>{64, 128, 256, 512}, 2);
  return std::make_unique<ResNet>(dev, s, batch, std::vector<int64_t>{16, 32, 64}, (depth - 2) / 6);
}

}  // namespace aws
