// The fused augmentation pass on the GPU: one block per image, the image in shared memory, every
// step on the same AWS_HD bodies as the cpu pass (kernels/augment_image_ops.h, kernels/augment_ops.h):
//   draws (Philox, fixed slots) → pad-crop + flip gather → pair-op (exact shared-memory histograms →
//   per-image parameters → per-pixel body, twice) → LUT /255-normalize + Cutout → float out.
// Output is bit-identical to augment_batch_cpu (the build uses -fmad=false; the normalization table is
// is the plan's NormTable, built on the host). The batch's indices are a device tensor the caller
// filled (read at run time: a replayed CUDA graph sees each step's batch); the policy's cdf and the
// draws travel through the plan's grow-only AugmentDeviceCache (no allocation after the first call);
// pair counts are added on the device by the image's first thread.
#include <cstring>
#include <string>
#include <vector>

#include "kernels/augment.h"
#include "kernels/augment_ops.h"
#include "kernels/cuda_context.h"

namespace aws {

namespace {

constexpr int kAugThreads = 256;

// Shared memory of one block: two image buffers, then up to 3 histograms of 256 bins.
size_t shared_bytes(size_t img) { return ((2 * img + 15) / 16) * 16 + 3 * 256 * sizeof(uint32_t); }

// One element applied to the image in shared memory: src → dst (both in shared memory).
__device__ void apply_element_block(int e, int sign, const uint8_t* src, uint8_t* dst, uint32_t* hist,
                                    ElementParams* params, int h, int w, int c) {
  const int npix = h * w;
  const int nh = element_histogram_count(e, c);
  if (nh > 0) {
    for (int i = threadIdx.x; i < nh * 256; i += blockDim.x) hist[i] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < npix; i += blockDim.x)
      for (int k = 0; k < nh; ++k) atomicAdd(&hist[k * 256 + element_histogram_bin(e, src + i * c, c, k)], 1u);
    __syncthreads();
  }
  if (threadIdx.x == 0) element_params_from_histograms(e, sign, nh ? hist : nullptr, h, w, c, params);
  __syncthreads();
  const int n = npix * c;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const int ch = i % c, px = i / c;
    dst[i] = element_pixel(e, sign, src, h, w, c, px % w, px / w, ch, *params);
  }
  __syncthreads();
}

__global__ void augment_kernel(AugmentParams p, const uint64_t* cdf, uint64_t stream, const uint8_t* images,
                               bool in_order, const int32_t* indices, NormTable norm, float* out,
                               uint8_t* out_u8, ImageDraws* draws_out, int32_t* pair_counts) {
  extern __shared__ __align__(16) uint8_t smem[];
  __shared__ ElementParams params;
  __shared__ ImageDraws d;
  const int b = blockIdx.x;
  const int img = p.h * p.w * p.c;
  uint8_t* buf[2] = {smem, smem + img};
  uint32_t* hist = reinterpret_cast<uint32_t*>(smem + ((2 * size_t(img) + 15) / 16) * 16);
  const uint32_t index = uint32_t(indices[b]);
  if (threadIdx.x == 0) {
    d = draw_image(p, cdf, stream, index);
    if (draws_out) draws_out[b] = d;
    if (pair_counts && d.pair >= 0) atomicAdd(&pair_counts[d.pair], 1);
  }
  __syncthreads();

  // Steps 1–2: dst = flip(crop(zero-pad(src))), one byte per thread step.
  const uint8_t* src = images + size_t(in_order ? uint32_t(b) : index) * img;
  for (int i = threadIdx.x; i < img; i += blockDim.x) {
    const int px = i / p.c;
    const int from = crop_flip_source(p, d, px / p.w, px % p.w);
    buf[0][i] = from < 0 ? uint8_t(0) : src[from * p.c + i % p.c];
  }
  __syncthreads();

  int cur = 0;
  const int ops[2] = {d.op1, d.op2}, signs[2] = {d.sign1, d.sign2};
  for (int t = 0; t < 2; ++t) {
    if (ops[t] < 0 || ops[t] >= kNumElements) continue;  // no pair-op, or the identity letter
    apply_element_block(ops[t], signs[t], buf[cur], buf[cur ^ 1], hist, &params, p.h, p.w, p.c);
    cur ^= 1;
  }

  if (out_u8) {  // the augmented pixels themselves: Cutout is 0, nothing is normalized
    uint8_t* o = out_u8 + size_t(b) * img;
    for (int i = threadIdx.x; i < img; i += blockDim.x) {
      const int px = i / p.c;
      o[i] = in_cutout(p, d, px / p.w, px % p.w) ? uint8_t(0) : buf[cur][i];
    }
    return;
  }
  float* o = out + size_t(b) * img;
  for (int i = threadIdx.x; i < img; i += blockDim.x) {
    const int ch = i % p.c, px = i / p.c;
    o[i] = in_cutout(p, d, px / p.w, px % p.w) ? norm.cut[ch] : norm.lut[ch * 256 + buf[cur][i]];
  }
}

__global__ void normalize_kernel(int img, int c, const uint8_t* images, bool in_order, const int32_t* indices,
                                 NormTable norm, float* out) {
  const uint8_t* src = images + size_t(in_order ? int32_t(blockIdx.x) : indices[blockIdx.x]) * img;
  float* o = out + size_t(blockIdx.x) * img;
  for (int i = threadIdx.x; i < img; i += blockDim.x) o[i] = norm.lut[(i % c) * 256 + src[i]];
}

}  // namespace

struct AugmentDeviceCache {
  GrowBuffer draws, cdf;
  std::vector<uint64_t> cdf_host;  // the table now in `cdf`
};

AugmentDeviceCache* augment_cache_create() { return new AugmentDeviceCache; }

// Runs from a shared_ptr's deleter, maybe while an exception unwinds: a failing free (after a sticky
// CUDA error) is dropped rather than thrown, which would terminate the process and hide the first error.
void augment_cache_destroy(AugmentDeviceCache* c) {
  if (!c) return;
  for (GrowBuffer* b : {&c->draws, &c->cdf}) {
    try {
      free_buffer(*b);
    } catch (const std::exception&) {
    }
  }
  delete c;
}

namespace {

// The plan's cdf on the device, uploaded only when it differs from the table already there. A captured
// train step never uploads: the eager first step of the epoch already put this plan's table there.
const uint64_t* upload_cdf(Ctx& ctx, AugmentDeviceCache& a, const uint64_t* cdf, size_t count) {
  if (!cdf) return nullptr;
  const size_t bytes = count * sizeof(uint64_t);
  if (a.cdf_host.size() != count || std::memcmp(a.cdf_host.data(), cdf, bytes) != 0) {
    grow_buffer(a.cdf, bytes);
    a.cdf_host.assign(cdf, cdf + count);  // the copy reads this persistent host vector
    CUDA_CHECK(cudaMemcpyAsync(a.cdf.p, a.cdf_host.data(), bytes, cudaMemcpyHostToDevice, stream_of(ctx)));
  }
  return static_cast<const uint64_t*>(a.cdf.p);
}

}  // namespace

void augment_batch_cuda(Ctx& ctx, AugmentDeviceCache& cache, const AugmentPassArgs& a) {
  if (a.n <= 0) return;
  const AugmentParams& p = a.params;
  const size_t img = size_t(p.h) * p.w * p.c;
  const size_t smem = shared_bytes(img);
  if (smem > size_t(ctx.cuda->prop.sharedMemPerBlockOptin))
    throw Error("augment_batch: a " + std::to_string(p.h) + "x" + std::to_string(p.w) + "x" + std::to_string(p.c) +
                " image needs " + std::to_string(smem) + " bytes of shared memory; the GPU allows " +
                std::to_string(ctx.cuda->prop.sharedMemPerBlockOptin));
  if (smem > 48 * 1024)
    CUDA_CHECK(cudaFuncSetAttribute(augment_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  const uint64_t* d_cdf = upload_cdf(ctx, cache, a.cdf, size_t(p.alphabet) * p.alphabet);
  ImageDraws* d_draws = nullptr;
  if (a.draws) {
    grow_buffer(cache.draws, size_t(a.n) * sizeof(ImageDraws));
    d_draws = static_cast<ImageDraws*>(cache.draws.p);
  }
  augment_kernel<<<unsigned(a.n), kAugThreads, smem, stream_of(ctx)>>>(p, d_cdf, a.stream, a.images, a.in_order,
                                                                       a.indices, *a.norm, a.out, a.out_u8,
                                                                       d_draws, a.pair_counts);
  AWS_LAUNCH_CHECK(ctx, "augment_batch");
  if (a.draws) {
    CUDA_CHECK(cudaMemcpyAsync(a.draws, d_draws, size_t(a.n) * sizeof(ImageDraws), cudaMemcpyDeviceToHost,
                               stream_of(ctx)));
    CUDA_CHECK(cudaStreamSynchronize(stream_of(ctx)));
  }
}

void normalize_batch_cuda(Ctx& ctx, const AugmentPassArgs& a) {
  if (a.n <= 0) return;
  const int c = a.params.c, img = a.params.h * a.params.w * c;
  normalize_kernel<<<unsigned(a.n), kAugThreads, 0, stream_of(ctx)>>>(img, c, a.images, a.in_order, a.indices,
                                                                    *a.norm, a.out);
  AWS_LAUNCH_CHECK(ctx, "normalize_batch");
}

}  // namespace aws
