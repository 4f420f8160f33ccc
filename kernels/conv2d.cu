// Convolutions through cuDNN's legacy API: NHWC activations, KRSC (= OHWI) weights, f32 or bf16
// tensors (x, w, y of one type) with f32 accumulation. For f32, Ctx::math picks the math: strict =
// CUDNN_FMA_MATH only (no TF32; results match the cpu closely), tf32 = CUDNN_TENSOR_OP_MATH (tensor
// cores on TF32-rounded inputs, fp32 accumulation). bf16 (the half-precision mode) always runs on
// tensor cores. Each (shape, dtype, math mode) gets a plan (descriptors) on first use, and each
// direction's algorithm is chosen once by timing every candidate (cudnnFind*Ex) under that math type in
// the context's workspace (allocated once, 256 MB); the fastest that fits is cached with the plan,
// with the math type it was timed in.
#include <string>

#include "kernels/conv2d.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

struct ConvDims {
  int n, h, w, c, k, r, s, p, q;
  DType dtype;
};

cudnnDataType_t cudnn_type(DType t) { return t == DType::bf16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT; }

// Tensor-core math is allowed for bf16 always, for f32 only in tf32 mode.
bool tensor_ops_allowed(const Ctx& ctx, DType t) { return t == DType::bf16 || ctx.math == Ctx::MathMode::tf32; }

// The math type candidates are searched under (the descriptor is reset to it before each search, since
// the previous direction may have left its own chosen math type there).
cudnnMathType_t search_math(const Ctx& ctx, DType t) {
  return tensor_ops_allowed(ctx, t) ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
}

ConvPlan& conv_plan(Ctx& ctx, const Conv2dParams& cp, const ConvDims& d) {
  ConvKey key;
  key.v = {d.n, d.h, d.w, d.c, d.k, d.r, d.s, cp.stride, cp.pad, int(d.dtype), int(ctx.math)};
  auto& slot = ctx.cuda->conv_plans[key];
  if (slot) return *slot;
  auto plan = std::make_unique<ConvPlan>();
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan->x));
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan->y));
  CUDNN_CHECK(cudnnCreateFilterDescriptor(&plan->w));
  CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&plan->conv));
  const cudnnDataType_t t = cudnn_type(d.dtype);
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(plan->x, CUDNN_TENSOR_NHWC, t, d.n, d.c, d.h, d.w));
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(plan->y, CUDNN_TENSOR_NHWC, t, d.n, d.k, d.p, d.q));
  CUDNN_CHECK(cudnnSetFilter4dDescriptor(plan->w, t, CUDNN_TENSOR_NHWC, d.k, d.c, d.r, d.s));
  CUDNN_CHECK(cudnnSetConvolution2dDescriptor(plan->conv, cp.pad, cp.pad, cp.stride, cp.stride, 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  CUDNN_CHECK(cudnnSetConvolutionMathType(plan->conv, search_math(ctx, d.dtype)));
  int pp = 0, qq = 0, nn = 0, kk = 0;
  CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(plan->conv, plan->x, plan->w, &nn, &kk, &pp, &qq));
  AWS_ASSERT(pp == d.p && qq == d.q && nn == d.n && kk == d.k, "conv2d: cuDNN output shape disagrees");
  slot = std::move(plan);
  return *slot;
}

ConvDims dims_of(const Tensor& x, const Tensor& w, const Tensor& y) {
  return ConvDims{int(x.dim(0)), int(x.dim(1)), int(x.dim(2)), int(x.dim(3)), int(w.dim(0)),
                  int(w.dim(1)),  int(w.dim(2)), int(y.dim(1)), int(y.dim(2)), x.dtype};
}

// The fastest successful candidate that fits the workspace; without tensor ops (f32, strict mode) it
// must stay in FMA math (tensor-op candidates refused); otherwise any math type but conversion to
// another half type is allowed.
template <class Perf>
void pick(const char* op, const ConvDims& d, const Perf* perf, int n, size_t ws_bytes, bool tensor_ops, int& algo,
          size_t& ws, cudnnMathType_t& math) {
  for (int i = 0; i < n; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > ws_bytes) continue;
    if (perf[i].mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
    if (!tensor_ops && perf[i].mathType == CUDNN_TENSOR_OP_MATH) continue;
    algo = int(perf[i].algo);
    ws = perf[i].memory;
    math = tensor_ops ? perf[i].mathType : CUDNN_FMA_MATH;
    return;
  }
  throw Error(std::string(op) + ": cuDNN found no usable algorithm for " + dtype_name(d.dtype) + " x [" +
              std::to_string(d.n) + "," + std::to_string(d.h) + "," + std::to_string(d.w) + "," + std::to_string(d.c) +
              "] * w [" + std::to_string(d.k) + "," + std::to_string(d.r) + "," + std::to_string(d.s) + "," +
              std::to_string(d.c) + "] (" + std::to_string(n) + " candidates, " +
              (tensor_ops ? "tensor-op math allowed" : "FMA math only") + ")");
}

}  // namespace

void conv2d_forward_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dForwardArgs& a) {
  const ConvDims dims = dims_of(a.x, a.w, a.y);
  ConvPlan& pl = conv_plan(ctx, p, dims);
  CudaState& cs = *ctx.cuda;
  if (pl.fwd < 0) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int n = 0;
    CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, search_math(ctx, a.x.dtype)));
    CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(cs.cudnn, pl.x, a.x.data, pl.w, a.w.data, pl.conv, pl.y,
                                                       a.y.data, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf,
                                                       cs.workspace, cs.workspace_bytes));
    pick("conv2d_forward", dims, perf, n, cs.workspace_bytes, tensor_ops_allowed(ctx, a.x.dtype), pl.fwd, pl.fwd_ws,
         pl.fwd_math);
  }
  CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, pl.fwd_math));
  const float one = 1.0f, zero = 0.0f;
  CUDNN_CHECK(cudnnConvolutionForward(cs.cudnn, &one, pl.x, a.x.data, pl.w, a.w.data, pl.conv,
                                      cudnnConvolutionFwdAlgo_t(pl.fwd), cs.workspace, pl.fwd_ws, &zero, pl.y,
                                      a.y.data));
  AWS_LAUNCH_CHECK(ctx, "conv2d_forward");
}

void conv2d_backward_data_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardDataArgs& a) {
  const ConvDims dims = dims_of(a.dx, a.w, a.dy);
  ConvPlan& pl = conv_plan(ctx, p, dims);
  CudaState& cs = *ctx.cuda;
  if (pl.bwd_data < 0) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    int n = 0;
    CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, search_math(ctx, a.dy.dtype)));
    CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(cs.cudnn, pl.w, a.w.data, pl.y, a.dy.data, pl.conv, pl.x,
                                                            a.dx.data, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf,
                                                            cs.workspace, cs.workspace_bytes));
    pick("conv2d_backward_data", dims, perf, n, cs.workspace_bytes, tensor_ops_allowed(ctx, a.dy.dtype), pl.bwd_data,
         pl.bwd_data_ws, pl.bwd_data_math);
  }
  CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, pl.bwd_data_math));
  const float one = 1.0f, zero = 0.0f;
  CUDNN_CHECK(cudnnConvolutionBackwardData(cs.cudnn, &one, pl.w, a.w.data, pl.y, a.dy.data, pl.conv,
                                           cudnnConvolutionBwdDataAlgo_t(pl.bwd_data), cs.workspace, pl.bwd_data_ws,
                                           &zero, pl.x, a.dx.data));
  AWS_LAUNCH_CHECK(ctx, "conv2d_backward_data");
}

void conv2d_backward_weights_cuda(Ctx& ctx, const Conv2dParams& p, const Conv2dBackwardWeightsArgs& a) {
  const ConvDims dims = dims_of(a.x, a.dw, a.dy);
  ConvPlan& pl = conv_plan(ctx, p, dims);
  CudaState& cs = *ctx.cuda;
  if (pl.bwd_filter < 0) {
    cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    int n = 0;
    CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, search_math(ctx, a.x.dtype)));
    CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(cs.cudnn, pl.x, a.x.data, pl.y, a.dy.data, pl.conv, pl.w,
                                                              a.dw.data, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n,
                                                              perf, cs.workspace, cs.workspace_bytes));
    pick("conv2d_backward_weights", dims, perf, n, cs.workspace_bytes, tensor_ops_allowed(ctx, a.x.dtype),
         pl.bwd_filter, pl.bwd_filter_ws, pl.bwd_filter_math);
  }
  CUDNN_CHECK(cudnnSetConvolutionMathType(pl.conv, pl.bwd_filter_math));
  const float one = 1.0f, zero = 0.0f;
  CUDNN_CHECK(cudnnConvolutionBackwardFilter(cs.cudnn, &one, pl.x, a.x.data, pl.y, a.dy.data, pl.conv,
                                             cudnnConvolutionBwdFilterAlgo_t(pl.bwd_filter), cs.workspace,
                                             pl.bwd_filter_ws, &zero, pl.w, a.dw.data));
  AWS_LAUNCH_CHECK(ctx, "conv2d_backward_weights");
}

}  // namespace aws
