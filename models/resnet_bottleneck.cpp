// ImageNet ResNets with bottleneck blocks (He et al. 2016; torchvision's v1.5: the stride on the 3×3):
// stem 7×7/2 conv + BN + ReLU, 3×3/2 max-pool, four stages of width 64-128-256-512 (outputs ×4), the
// blocks per stage 3-4-6-3 (ResNet-50), 3-4-23-3 (101), 3-8-36-3 (152), 3-24-36-3 (200). A block:
// 1×1 → 3×3 (stride) → 1×1 ×4, plus the input or a 1×1 conv + BN projection (type B) when the shape
// changes. With ModelSpec::zero_init_residual the last BN γ of each block starts at 0 (Goyal et al.
// 2017; torchvision's zero_init_residual), so every block starts as the identity.
#include <memory>
#include <vector>

#include "core/error.h"
#include "models/families.h"
#include "models/residual_chain.h"

namespace aws {

namespace {

struct Bottleneck {
  ConvBN c1, c2, c3, sc;
  bool proj = false;

  // The output's gradient in grad.chainP (P = block index mod 2; the input's is in the other slot),
  // the inner ones in slots every block reuses (they live only during this block's backward).
  void declare(NetArenas& a, const std::string& name, int64_t h, int64_t w, int64_t in_c, int64_t width, int stride,
               float mom, int parity) {
    c1.declare(a, name + ".1", h, w, in_c, width, 1, 1, true, mom, "grad.block.1");
    c2.declare(a, name + ".2", c1.oh, c1.ow, width, width, 3, stride, true, mom, "grad.block.2");
    c3.declare(a, name + ".3", c2.oh, c2.ow, width, 4 * width, 1, 1, true, mom, chain_slot(parity));
    proj = stride != 1 || in_c != 4 * width;
    if (proj) sc.declare(a, name + ".shortcut", h, w, in_c, 4 * width, 1, stride, false, mom, "grad.block.shortcut");
  }
  static std::string chain_slot(int parity) { return "grad.chain" + std::to_string(parity & 1); }
  void forward(Ctx& ctx, const Tensor& x, int64_t n, bool train) {
    c1.forward(ctx, x, nullptr, n, train);
    c2.forward(ctx, rows(c1.out, n), nullptr, n, train);
    if (proj) sc.forward(ctx, x, nullptr, n, train);
    c3.forward(ctx, rows(c2.out, n), proj ? &sc.out : &x, n, train);
  }
  // c3.dout holds the gradient wrt this block's output; dx (null for none) receives the input's.
  void backward(Ctx& ctx, const Tensor& x, Tensor* dx, Tensor& scratch, int64_t n) {
    if (proj) {
      c3.backward(ctx, rows(c2.out, n), &c2.dout, &sc.dout, n);
      sc.backward(ctx, x, dx, nullptr, n);
    } else {
      c3.backward(ctx, rows(c2.out, n), &c2.dout, dx, n);
    }
    c2.backward(ctx, rows(c1.out, n), &c1.dout, nullptr, n);
    first_conv_backward_sum(ctx, c1, x, dx, scratch, n);
  }
  Tensor& out() { return c3.out; }
  Tensor& dout() { return c3.dout; }
};

class BottleneckResNet final : public Model {
 public:
  BottleneckResNet(Device dev, const ModelSpec& s, int64_t b, const std::vector<int>& blocks) : Model(dev, s, b) {
    NetArenas a = arenas();
    stem_.declare(a, "stem", s.h, s.w, s.c, 64, 7, 2, true, s.bn_momentum, "grad.block.1");
    pool_.declare(a, stem_.oh, stem_.ow, 64, Bottleneck::chain_slot(1));
    need_scratch(stem_.out.numel());
    int64_t h = pool_.oh, w = pool_.ow, c = 64;
    const int64_t widths[4] = {64, 128, 256, 512};
    // Sized before any declare: the arenas keep the addresses of the blocks' tensors.
    blocks_.resize(size_t(blocks[0] + blocks[1] + blocks[2] + blocks[3]));
    size_t bi = 0;
    for (size_t st = 0; st < 4; ++st)
      for (int k = 0; k < blocks[st]; ++k, ++bi) {
        const int stride = (st > 0 && k == 0) ? 2 : 1;
        Bottleneck& blk = blocks_[bi];
        blk.declare(a, "layer" + std::to_string(st + 1) + "." + std::to_string(k), h, w, c, widths[st], stride,
                    s.bn_momentum, int(bi));
        need_scratch(a.batch * h * w * c);  // c1's input gradient, summed into the block's
        h = blk.c3.oh, w = blk.c3.ow, c = 4 * widths[st];
        zero_init_gammas.push_back(&blk.c3.gamma);
      }
    head.declare(a, c, s.classes);
    declare_io();
  }

  void forward(Ctx& ctx, int64_t n, bool train, const Tensor& /*step_key: no stochastic layer*/) override {
    stem_.forward(ctx, stem_input(ctx, n), nullptr, n, train);
    pool_.forward(ctx, rows(stem_.out, n), n);
    head.forward(ctx, rows(forward_chain(ctx, blocks_, pool_.out, n, train), n), n);
  }

  void backward(Ctx& ctx, int64_t n) override {
    head.backward(ctx, blocks_.back().dout(), n);
    backward_chain(ctx, blocks_, pool_.out, pool_.dout, scratch, n);
    pool_.backward(ctx, stem_.dout, n);
    stem_.backward(ctx, stem_input(n), nullptr, nullptr, n);
  }

 private:
  ConvBN stem_;
  MaxPool pool_;
  std::vector<Bottleneck> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_bottleneck_resnet(Device dev, const ModelSpec& s, int64_t batch, int depth) {
  std::vector<int> blocks;
  switch (depth) {
    case 50: blocks = {3, 4, 6, 3}; break;
    case 101: blocks = {3, 4, 23, 3}; break;
    case 152: blocks = {3, 8, 36, 3}; break;
    case 200: blocks = {3, 24, 36, 3}; break;
    default: throw Error("make_bottleneck_resnet: depth 50, 101, 152 or 200");
  }
  return std::make_unique<BottleneckResNet>(dev, s, batch, blocks);
}

}  // namespace aws
