// The oneDNN state a Ctx owns: engine, stream, plan cache, the shared scratchpad, and how plans run
// (through the C API with argument arrays built once, so a call allocates nothing on our side).
#include "engine/runtime/memory.h"
#include "engine/ops/dnnl_state_impl.h"

namespace aws {

DnnlState::~DnnlState() { clear(); }

void DnnlState::clear() {
  for (auto& [key, plan] : plans) mem_free(Device::cpu, plan->tmp);
  plans.clear();
  mem_free(Device::cpu, scratch);
  scratch = nullptr;
  scratch_bytes = 0;
  stats = DnnlStats{};
}

void DnnlState::reserve_scratch(size_t bytes) {
  if (bytes <= scratch_bytes) return;
  mem_free(Device::cpu, scratch);
  scratch = mem_alloc(Device::cpu, bytes);
  stats.buffer_bytes += bytes - scratch_bytes;
  scratch_bytes = bytes;
}

void DnnlState::run(DnnlPlan& plan, const void* in0, const void* in1, void* out) {
  void* slot_ptr[kSlotCount] = {const_cast<void*>(in0), const_cast<void*>(in1), out, plan.tmp, scratch};
  for (auto& step : plan.steps) {
    for (size_t i = 0; i < step.mems.size(); ++i) step.mems[i].set_data_handle(slot_ptr[step.slots[i]]);
    dnnl::error::wrap_c_api(
        dnnl_primitive_execute(step.prim.get(), strm.get(), int(step.args.size()), step.args.data()),
        "oneDNN convolution: primitive execution failed");
  }
  strm.wait();
}

DnnlState& dnnl_state(Ctx& ctx) {
  if (!ctx.dnnl) {
    ctx.dnnl = new DnnlState();
    ctx.dnnl_free = [](DnnlState* s) { delete s; };
  }
  return *ctx.dnnl;
}

DnnlStats dnnl_stats(Ctx& ctx) {
  DnnlState& s = dnnl_state(ctx);
  DnnlStats st = s.stats;
  st.plans = s.plans.size();
  return st;
}

void dnnl_set_weights(Ctx& ctx, DnnlWeights layout) {
  DnnlState& s = dnnl_state(ctx);
  s.clear();
  s.weights = layout;
}

}  // namespace aws
