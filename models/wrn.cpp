// Wide-ResNet-d-k (Zagoruyko & Komodakis 2016): pre-activation blocks BN-ReLU-conv, (d−4)/6 blocks per
// stage, widths 16-16k-32k-64k, a final BN-ReLU before the head. Shape-changing shortcuts are 1×1
// convolution + BN (SPEC §11) applied to the block's pre-activated input, as in the reference code.
#include <memory>
#include <vector>

#include "engine/runtime/memory.h"
#include "engine/ops/add.h"
#include "models/families.h"

namespace aws {

namespace {

struct WideBlock {
  BNAct bn1, bn2;
  Conv c1, c2;
  ConvBN sc;
  bool proj = false;
  Tensor out;  // c2.out + shortcut

  // Backward gradients in shared slots: the output's in grad.chainP (P = the block's index mod 2; the
  // input's, the previous block's output, is in the other), the inner ones in slots every block reuses.
  void declare(NetArenas& a, const std::string& name, int64_t h, int64_t w, int64_t in_c, int64_t out_c, int stride,
               float mom, int parity) {
    bn1.declare(a, name + ".bn1", h, w, in_c, true, mom, "grad.block.bn1");
    c1.declare(a, name + ".1", h, w, in_c, out_c, 3, stride, "grad.block.1");
    bn2.declare(a, name + ".bn2", c1.oh, c1.ow, out_c, true, mom, "grad.block.bn2");
    c2.declare(a, name + ".2", c1.oh, c1.ow, out_c, out_c, 3, 1, chain_slot(parity));
    proj = stride != 1 || in_c != out_c;
    if (proj) sc.declare(a, name + ".shortcut", h, w, in_c, out_c, 1, stride, false, mom, "grad.block.shortcut");
    a.work.add(&out, Shape{a.batch, c2.oh, c2.ow, out_c}, a.act);
  }
  void forward(Ctx& ctx, const Tensor& x, int64_t n, bool train) {
    bn1.forward(ctx, x, n, train);
    Tensor a1 = rows(bn1.out, n);
    c1.forward(ctx, a1, n);
    bn2.forward(ctx, rows(c1.out, n), n, train);
    c2.forward(ctx, rows(bn2.out, n), n);
    Tensor o = rows(out, n);
    if (proj) {
      sc.forward(ctx, a1, nullptr, n, train);
      add_forward(ctx, {.a = rows(c2.out, n), .b = rows(sc.out, n), .y = o});
    } else {
      add_forward(ctx, {.a = rows(c2.out, n), .b = x, .y = o});
    }
  }
  // dout() holds the gradient wrt out; dx receives the input's (overwritten).
  void backward(Ctx& ctx, const Tensor& x, Tensor& dx, Tensor& scratch, int64_t n) {
    Tensor a1 = rows(bn1.out, n);
    if (proj) mem_copy(ctx, sc.dout.data, c2.dout.data, size_t(rows(c2.dout, n).bytes()), CopyKind::dev_to_dev);
    c2.backward(ctx, rows(bn2.out, n), &bn2.dout, n);
    bn2.backward(ctx, rows(c1.out, n), c1.dout, n);
    c1.backward(ctx, a1, &bn1.dout, n);
    if (proj) {
      Tensor s(scratch.data, bn1.dout.shape, bn1.dout.dtype, dx.device);
      sc.backward(ctx, a1, &s, nullptr, n);
      Tensor d1 = rows(bn1.dout, n), sv = rows(s, n);
      add_forward(ctx, {.a = d1, .b = sv, .y = d1});
    }
    bn1.backward(ctx, x, dx, n);
    if (!proj) {
      Tensor dxv = rows(dx, n), g = rows(c2.dout, n);
      add_forward(ctx, {.a = dxv, .b = g, .y = dxv});
    }
  }
  Tensor& dout() { return c2.dout; }
  static std::string chain_slot(int parity) { return "grad.chain" + std::to_string(parity & 1); }
};

class WideResNet final : public Model {
 public:
  WideResNet(Device dev, const ModelSpec& s, int64_t b, int depth, int k) : Model(dev, s, b) {
    NetArenas a = arenas();
    int per_stage = (depth - 4) / 6;
    std::vector<int64_t> widths{16 * k, 32 * k, 64 * k};
    stem_.declare(a, "stem", s.h, s.w, s.c, 16, 3, 1, WideBlock::chain_slot(1));
    int64_t h = stem_.oh, w = stem_.ow, c = 16;
    blocks_.resize(size_t(3 * per_stage));
    size_t bi = 0;
    for (int st = 0; st < 3; ++st)
      for (int j = 0; j < per_stage; ++j, ++bi) {
        int stride = (st > 0 && j == 0) ? 2 : 1;
        blocks_[bi].declare(a, "block" + std::to_string(st + 1) + "." + std::to_string(j), h, w, c, widths[st], stride,
                            s.bn_momentum, int(bi));
        need_scratch(blocks_[bi].bn1.out.numel());
        h = blocks_[bi].c2.oh;
        w = blocks_[bi].c2.ow;
        c = widths[size_t(st)];
      }
    final_.declare(a, "final", h, w, c, true, s.bn_momentum);
    head.declare(a, c, s.classes);
    declare_io();
  }

  void forward(Ctx& ctx, int64_t n, bool train, const Tensor& /*step_key: no stochastic layer*/) override {
    stem_.forward(ctx, stem_input(ctx, n), n);
    const Tensor* prev = &stem_.out;
    for (auto& b : blocks_) {
      b.forward(ctx, rows(*prev, n), n, train);
      prev = &b.out;
    }
    final_.forward(ctx, rows(*prev, n), n, train);
    head.forward(ctx, rows(final_.out, n), n);
  }

  void backward(Ctx& ctx, int64_t n) override {
    head.backward(ctx, final_.dout, n);
    final_.backward(ctx, rows(blocks_.back().out, n), blocks_.back().dout(), n);
    for (size_t i = blocks_.size(); i-- > 0;) {
      Tensor& in = i ? blocks_[i - 1].out : stem_.out;
      Tensor& din = i ? blocks_[i - 1].dout() : stem_.dout;
      blocks_[i].backward(ctx, rows(in, n), din, scratch, n);
    }
    stem_.backward(ctx, stem_input(n), nullptr, n);
  }

 private:
  Conv stem_;
  std::vector<WideBlock> blocks_;
  BNAct final_;
};

}  // namespace

std::unique_ptr<Model> make_wrn(Device dev, const ModelSpec& s, int64_t batch, int depth, int k) {
  return std::make_unique<WideResNet>(dev, s, batch, depth, k);
}

}  // namespace aws
