// DnnlState: the oneDNN engine, stream and the per-shape plan cache owned by a Ctx (ctx.dnnl).
// Included only by *_dnnl.cpp files (it needs oneDNN headers). A plan is the chain of primitives one
// convolution call runs (an optional weight reorder, the convolution), each with its memory objects
// created once; a call only points them at the call's tensors. Buffers come from mem_alloc, once per
// plan, so a steady-state step allocates nothing.
#pragma once
#include <array>
#include <map>
#include <memory>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/context.h"
#include "engine/ops/dnnl_state.h"

namespace aws {

// Where a primitive argument's memory lives during a call.
enum DnnlSlot : int { kSlotIn0, kSlotIn1, kSlotOut, kSlotTmp, kSlotScratch, kSlotCount };

struct DnnlStep {
  dnnl::primitive prim;
  std::vector<dnnl::memory> mems;  // one per argument
  std::vector<int> slots;          // DnnlSlot of each argument
  std::vector<dnnl_exec_arg_t> args;
};

struct DnnlPlan {
  std::vector<DnnlStep> steps;
  void* tmp = nullptr;  // reordered weights (or weight gradients) when the layout is `any`
};

enum class ConvDir : int64_t { fwd, bwd_data, bwd_weights };
// N, H, W, C, K, R, S, stride, pad, direction
using ConvKey = std::array<int64_t, 10>;

struct DnnlState {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  DnnlWeights weights = DnnlWeights::any;
  std::map<ConvKey, std::unique_ptr<DnnlPlan>> plans;
  void* scratch = nullptr;  // one scratchpad shared by all plans, sized to the largest
  size_t scratch_bytes = 0;
  DnnlStats stats;

  ~DnnlState();
  void clear();
  // Makes the shared scratchpad at least `bytes` large (only while plans are being created).
  void reserve_scratch(size_t bytes);
  // Runs the plan's steps with the slots pointed at `in0`, `in1`, `out`.
  void run(DnnlPlan& plan, const void* in0, const void* in1, void* out);
};

// The state behind ctx.dnnl, created on first use.
DnnlState& dnnl_state(Ctx& ctx);

}  // namespace aws
