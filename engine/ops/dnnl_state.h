// The oneDNN convolution path as the rest of the engine sees it, without oneDNN headers: entry points
// (conv2d_dnnl.cpp), the per-Ctx primitive cache's statistics (dnnl_state_dnnl.cpp), and how a facade
// reaches them. DnnlState itself is defined in dnnl_state_impl.h, included only by *_dnnl.cpp files.
#pragma once
#include <cstddef>

#include "core/error.h"
#include "engine/ops/conv2d.h"

namespace aws {

// Which weight layout the oneDNN convolutions run in. `any` (the default): oneDNN's preferred blocked
// layout, with the reorder primitive and buffer cached per shape (weights are reordered on each call
// since they change every step). `ohwi`: on our OHWI arena tensors directly; oneDNN 2.6 has no jit
// kernel for it and falls back to its reference loops, ~100× slower (measured, bench/conv_shapes.md).
// Both stay selectable so tests and the benchmark cover them.
enum class DnnlWeights { ohwi, any };

struct DnnlStats {
  size_t plans = 0;            // cached (shape, direction) plans, each holding its primitives
  size_t primitives = 0;       // primitives created so far (convolutions + reorders)
  size_t buffer_bytes = 0;     // scratchpad + reordered-weight buffers held
};

void conv2d_forward_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a);
void conv2d_backward_data_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a);
void conv2d_backward_weights_dnnl(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a);

DnnlStats dnnl_stats(Ctx& ctx);
// Sets the weight layout for plans created from now on (clears the cache).
void dnnl_set_weights(Ctx& ctx, DnnlWeights layout);

[[noreturn]] inline void dnnl_not_built(const char* fn) {
  throw Error(std::string(fn) + ": this binary was built without oneDNN (-DAWS_ONEDNN=OFF)");
}

}  // namespace aws

#if defined(AWS_WITH_ONEDNN)
#define AWS_DNNL_BUILT true
#define AWS_DNNL_CALL(fn, args) fn args
#else
#define AWS_DNNL_BUILT false
#define AWS_DNNL_CALL(fn, args) ::aws::dnnl_not_built(#fn)
#endif
