// Linear layers through cuBLASLt: fp32 compute (CUBLAS_COMPUTE_32F, no TF32) in strict math, and
// CUBLAS_COMPUTE_32F_FAST_TF32 (tensor cores on TF32-rounded inputs) when Ctx::math is tf32. Row-major y[N,out] = x[N,in]·w[out,in]ᵀ + b
// is the column-major product yᵀ = w'ᵀ·x' with the bias added in the epilogue. Plans (descriptors and
// the heuristic's algorithm) are cached per GEMM shape. db is a column sum of dy (our kernel, double
// accumulation, deterministic).
#include "kernels/linear.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

// Column-major D[m,n] = op(A)·op(B); ta/tb: operand stored transposed. bias: length-m epilogue vector.
GemmPlan& gemm_plan(Ctx& ctx, int m, int n, int k, bool ta, bool tb, bool bias) {
  GemmKey key;
  const bool tf32 = ctx.math == Ctx::MathMode::tf32;
  key.v = {m, n, k, ta, tb, bias, int(ctx.math)};
  auto& slot = ctx.cuda->gemm_plans[key];
  if (slot) return *slot;
  auto pl = std::make_unique<GemmPlan>();
  CUBLAS_CHECK(cublasLtMatmulDescCreate(&pl->op, tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUDA_R_32F));
  cublasOperation_t opa = ta ? CUBLAS_OP_T : CUBLAS_OP_N, opb = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(pl->op, CUBLASLT_MATMUL_DESC_TRANSA, &opa, sizeof(opa)));
  CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(pl->op, CUBLASLT_MATMUL_DESC_TRANSB, &opb, sizeof(opb)));
  cublasLtEpilogue_t epi = bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
  CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(pl->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)));
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&pl->a, CUDA_R_32F, ta ? k : m, ta ? m : k, ta ? k : m));
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&pl->b, CUDA_R_32F, tb ? n : k, tb ? k : n, tb ? n : k));
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&pl->c, CUDA_R_32F, m, n, m));
  cublasLtMatmulPreference_t pref = nullptr;
  CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  size_t ws = ctx.cuda->workspace_bytes;
  CUBLAS_CHECK(
      cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)));
  cublasLtMatmulHeuristicResult_t res{};
  int found = 0;
  cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(ctx.cuda->lt, pl->op, pl->a, pl->b, pl->c, pl->c, pref, 1, &res,
                                                     &found);
  cublasLtMatmulPreferenceDestroy(pref);
  CUBLAS_CHECK(st);
  if (found == 0)
    throw Error("linear: cuBLASLt has no algorithm for m=" + std::to_string(m) + " n=" + std::to_string(n) +
                " k=" + std::to_string(k));
  pl->algo = res.algo;
  pl->ws = res.workspaceSize;
  slot = std::move(pl);
  return *slot;
}

void gemm(Ctx& ctx, GemmPlan& pl, const float* A, const float* B, float* D, const float* bias) {
  if (bias)
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(pl.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  const float one = 1.0f, zero = 0.0f;
  CUBLAS_CHECK(cublasLtMatmul(ctx.cuda->lt, pl.op, &one, A, pl.a, B, pl.b, &zero, D, pl.c, D, pl.c, &pl.algo,
                              ctx.cuda->workspace, pl.ws, stream_of(ctx)));
}

__global__ void colsum_kernel(const float* dy, float* db, int64_t N, int64_t O) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < O; o += int64_t(gridDim.x) * blockDim.x) {
    double s = 0;
    for (int64_t n = 0; n < N; ++n) s += double(dy[n * O + o]);
    db[o] = float(s);
  }
}

}  // namespace

void linear_forward_cuda(Ctx& ctx, const LinearForwardArgs& a) {
  const int N = int(a.x.dim(0)), in = int(a.x.dim(1)), out = int(a.w.dim(0));
  GemmPlan& pl = gemm_plan(ctx, out, N, in, true, false, a.b != nullptr);
  gemm(ctx, pl, a.w.f32(), a.x.f32(), a.y.f32(), a.b ? a.b->f32() : nullptr);
  AWS_LAUNCH_CHECK(ctx, "linear_forward");
}

void linear_backward_cuda(Ctx& ctx, const LinearBackwardArgs& a) {
  const int N = int(a.x.dim(0)), in = int(a.x.dim(1)), out = int(a.w.dim(0));
  if (a.dx) {
    GemmPlan& pl = gemm_plan(ctx, in, N, out, false, false, false);
    gemm(ctx, pl, a.w.f32(), a.dy.f32(), a.dx->f32(), nullptr);
  }
  GemmPlan& pw = gemm_plan(ctx, in, out, N, false, true, false);
  gemm(ctx, pw, a.x.f32(), a.dy.f32(), a.dw.f32(), nullptr);
  if (a.db) colsum_kernel<<<grid_for(out, 128), 128, 0, stream_of(ctx)>>>(a.dy.f32(), a.db->f32(), N, out);
  AWS_LAUNCH_CHECK(ctx, "linear_backward");
}

}  // namespace aws
