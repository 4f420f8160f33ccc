// conv2d through oneDNN: forward, backward-data and backward-weights primitives built once per shape
// and direction, cached in ctx.dnnl. Activations are NHWC in place; weights are either used as OHWI
// directly or reordered into oneDNN's preferred layout through a cached reorder (DnnlWeights).
#include <tuple>

#include "engine/runtime/memory.h"
#include "engine/ops/dnnl_state_impl.h"

namespace aws {

namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

struct ConvDescs {
  memory::desc src, dst, wei_user, wei_conv;
  memory::dims strides, pad_l, pad_r;
};

ConvDescs descs_of(const ConvKey& k, DnnlWeights layout) {
  const int64_t N = k[0], H = k[1], W = k[2], C = k[3], K = k[4], R = k[5], S = k[6], st = k[7], pad = k[8];
  const int64_t P = conv2d_out_size(H, R, int(st), int(pad)), Q = conv2d_out_size(W, S, int(st), int(pad));
  ConvDescs d;
  d.src = memory::desc({N, C, H, W}, f32, tag::nhwc);
  d.dst = memory::desc({N, K, P, Q}, f32, tag::nhwc);
  d.wei_user = memory::desc({K, C, R, S}, f32, tag::ohwi);
  d.wei_conv = layout == DnnlWeights::any ? memory::desc({K, C, R, S}, f32, tag::any) : d.wei_user;
  d.strides = {st, st};
  d.pad_l = {pad, pad};
  d.pad_r = {pad, pad};
  return d;
}

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// Adds (DNNL_ARG_SCRATCHPAD, desc, slot) to an argument list when the primitive wants a scratchpad.
void add_scratch(DnnlState& s, const memory::desc& md,
                 std::vector<std::tuple<int, memory::desc, int>>& args) {
  if (md.get_size() == 0) return;
  s.reserve_scratch(md.get_size());
  args.emplace_back(DNNL_ARG_SCRATCHPAD, md, kSlotScratch);
}

void add(DnnlState& s, DnnlPlan& plan, dnnl::primitive prim, std::vector<std::tuple<int, memory::desc, int>> args) {
  DnnlStep step;
  step.prim = std::move(prim);
  for (const auto& [id, md, slot] : args) {
    step.mems.emplace_back(md, s.eng, static_cast<void*>(DNNL_MEMORY_NONE));
    step.slots.push_back(slot);
    step.args.push_back({id, step.mems.back().get()});
  }
  plan.steps.push_back(std::move(step));
  s.stats.primitives++;
}

// Reorder from → to between slots, appended to the plan.
void add_reorder(DnnlState& s, DnnlPlan& plan, const memory::desc& from, int from_slot, const memory::desc& to,
                 int to_slot) {
  dnnl::reorder::primitive_desc rpd(s.eng, from, s.eng, to, user_scratchpad());
  std::vector<std::tuple<int, memory::desc, int>> args{{DNNL_ARG_FROM, from, from_slot}, {DNNL_ARG_TO, to, to_slot}};
  add_scratch(s, rpd.scratchpad_desc(), args);
  add(s, plan, dnnl::reorder(rpd), std::move(args));
}

dnnl::convolution_forward::primitive_desc forward_pd(DnnlState& s, const ConvDescs& d) {
  dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                     d.src, d.wei_conv, d.dst, d.strides, d.pad_l, d.pad_r);
  return dnnl::convolution_forward::primitive_desc(fd, user_scratchpad(), s.eng);
}

void* alloc_tmp(DnnlState& s, const memory::desc& md) {
  s.stats.buffer_bytes += md.get_size();
  return mem_alloc(Device::cpu, md.get_size());
}

// The slot the primitive reads the weights from: the user's OHWI tensor, or a buffer that a reorder
// into oneDNN's preferred layout fills first (cached per shape with the plan).
int weights_slot(DnnlState& s, DnnlPlan& plan, const ConvDescs& d, const memory::desc& wei) {
  if (wei == d.wei_user) return kSlotIn1;
  plan.tmp = alloc_tmp(s, wei);
  add_reorder(s, plan, d.wei_user, kSlotIn1, wei, kSlotTmp);
  return kSlotTmp;
}

// Slots: in0 = x, in1 = w, out = y.
void build_forward(DnnlState& s, DnnlPlan& plan, const ConvDescs& d) {
  auto pd = forward_pd(s, d);
  const memory::desc wei = pd.weights_desc();
  const int wslot = weights_slot(s, plan, d, wei);
  std::vector<std::tuple<int, memory::desc, int>> args{
      {DNNL_ARG_SRC, d.src, kSlotIn0}, {DNNL_ARG_WEIGHTS, wei, wslot}, {DNNL_ARG_DST, d.dst, kSlotOut}};
  add_scratch(s, pd.scratchpad_desc(), args);
  add(s, plan, dnnl::convolution_forward(pd), std::move(args));
}

// Slots: in0 = dy, in1 = w, out = dx.
void build_backward_data(DnnlState& s, DnnlPlan& plan, const ConvDescs& d) {
  auto hint = forward_pd(s, d);
  dnnl::convolution_backward_data::desc bd(dnnl::algorithm::convolution_direct, d.src, d.wei_conv, d.dst,
                                           d.strides, d.pad_l, d.pad_r);
  dnnl::convolution_backward_data::primitive_desc pd(bd, user_scratchpad(), s.eng, hint);
  const memory::desc wei = pd.weights_desc();
  const int wslot = weights_slot(s, plan, d, wei);
  std::vector<std::tuple<int, memory::desc, int>> args{
      {DNNL_ARG_DIFF_DST, d.dst, kSlotIn0}, {DNNL_ARG_WEIGHTS, wei, wslot}, {DNNL_ARG_DIFF_SRC, d.src, kSlotOut}};
  add_scratch(s, pd.scratchpad_desc(), args);
  add(s, plan, dnnl::convolution_backward_data(pd), std::move(args));
}

// Slots: in0 = x, in1 = dy, out = dw.
void build_backward_weights(DnnlState& s, DnnlPlan& plan, const ConvDescs& d) {
  auto hint = forward_pd(s, d);
  dnnl::convolution_backward_weights::desc wd(dnnl::algorithm::convolution_direct, d.src, d.wei_conv, d.dst,
                                              d.strides, d.pad_l, d.pad_r);
  dnnl::convolution_backward_weights::primitive_desc pd(wd, user_scratchpad(), s.eng, hint);
  const memory::desc dwei = pd.diff_weights_desc();
  const bool reorder = dwei != d.wei_user;
  if (reorder) plan.tmp = alloc_tmp(s, dwei);
  std::vector<std::tuple<int, memory::desc, int>> args{{DNNL_ARG_SRC, d.src, kSlotIn0},
                                                       {DNNL_ARG_DIFF_DST, d.dst, kSlotIn1},
                                                       {DNNL_ARG_DIFF_WEIGHTS, dwei, reorder ? kSlotTmp : kSlotOut}};
  add_scratch(s, pd.scratchpad_desc(), args);
  add(s, plan, dnnl::convolution_backward_weights(pd), std::move(args));
  if (reorder) add_reorder(s, plan, dwei, kSlotTmp, d.wei_user, kSlotOut);
}

// The cached plan for this shape and direction, built on first use.
DnnlPlan& plan_for(Ctx& ctx, const Conv2dParams& p, const Tensor& x, const Tensor& w, ConvDir dir) {
  DnnlState& s = dnnl_state(ctx);
  const ConvKey key{x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(1), w.dim(2),
                    p.stride,  p.pad,     int64_t(dir)};
  auto it = s.plans.find(key);
  if (it != s.plans.end()) return *it->second;
  auto plan = std::make_unique<DnnlPlan>();
  const ConvDescs d = descs_of(key, s.weights);
  try {
    if (dir == ConvDir::fwd) build_forward(s, *plan, d);
    else if (dir == ConvDir::bwd_data) build_backward_data(s, *plan, d);
    else build_backward_weights(s, *plan, d);
  } catch (const dnnl::error& e) {
    mem_free(Device::cpu, plan->tmp);
    throw Error(std::string("oneDNN convolution ") + x.shape.str() + " * " + w.shape.str() + ": " + e.what());
  }
  return *s.plans.emplace(key, std::move(plan)).first->second;
}

}  // namespace

void conv2d_forward_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a) {
  dnnl_state(ctx).run(plan_for(ctx, p, a.x, a.w, ConvDir::fwd), a.x.data, a.w.data, a.y.data);
}

void conv2d_backward_data_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a) {
  dnnl_state(ctx).run(plan_for(ctx, p, a.dx, a.w, ConvDir::bwd_data), a.dy.data, a.w.data, a.dx.data);
}

void conv2d_backward_weights_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a) {
  dnnl_state(ctx).run(plan_for(ctx, p, a.x, a.dw, ConvDir::bwd_weights), a.x.data, a.dy.data, a.dw.data);
}

}  // namespace aws
