// NCCL collectives (see nccl_collectives.h). The id, the communicator and every collective go through
// NCCL_CHECK; a collective runs on the context's stream like the kernels around it.
#include <nccl.h>

#include <cstring>
#include <exception>
#include <string>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/nccl_collectives.h"

#define NCCL_CHECK(call) AWS_GPU_CHECK_("NCCL", ncclResult_t, ncclSuccess, ncclGetErrorString, call)

static_assert(sizeof(ncclUniqueId) == aws::kNcclIdBytes, "NCCL_UNIQUE_ID_BYTES changed");

namespace aws {

struct NcclComm {
  ncclComm_t comm = nullptr;
  int gpu = 0;
  cudaEvent_t done[kNcclEventRing] = {};  // collective k records done[k % kNcclEventRing] (nccl_finished)
  int64_t queued = 0;                     // collectives queued (the rank's own thread alone writes it)
};

namespace {

ncclDataType_t nccl_type(NcclType t) {
  switch (t) {
    case NcclType::f32: return ncclFloat32;
    case NcclType::f64: return ncclFloat64;
    case NcclType::i32: return ncclInt32;
    case NcclType::u8: return ncclUint8;
  }
  return ncclUint8;
}

ncclRedOp_t nccl_op(NcclOp op) {
  switch (op) {
    case NcclOp::sum: return ncclSum;
    case NcclOp::max: return ncclMax;
    case NcclOp::avg: return ncclAvg;
  }
  return ncclSum;
}

// A communicator's events, once its ncclComm_t exists.
void add_events(NcclComm* c) {
  CUDA_CHECK(cudaSetDevice(c->gpu));
  for (cudaEvent_t& e : c->done) CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
}

void free_comm(NcclComm* c, bool abort) {  // destructor and failure paths: not checked
  if (c->comm) abort ? ncclCommAbort(c->comm) : ncclCommDestroy(c->comm);
  for (cudaEvent_t e : c->done)
    if (e) cudaEventDestroy(e);
  delete c;
}

void mark_queued(Ctx& ctx, NcclComm* c) {
  CUDA_CHECK(cudaEventRecord(c->done[c->queued % kNcclEventRing], stream_of(ctx)));
  ++c->queued;
}

}  // namespace

void nccl_unique_id(uint8_t id[kNcclIdBytes]) {
  ncclUniqueId u;
  NCCL_CHECK(ncclGetUniqueId(&u));
  std::memcpy(id, &u, kNcclIdBytes);
}

NcclComm* nccl_comm_create(Ctx& ctx, const uint8_t id[kNcclIdBytes], int rank, int size) {
  CUDA_CHECK(cudaSetDevice(ctx.gpu));
  ncclUniqueId u;
  std::memcpy(&u, id, kNcclIdBytes);
  auto* c = new NcclComm;
  c->gpu = ctx.gpu;
  try {
    NCCL_CHECK(ncclCommInitRank(&c->comm, size, u, rank));
    add_events(c);
  } catch (...) {
    free_comm(c, true);
    throw;
  }
  return c;
}

void nccl_comm_destroy(NcclComm* c) {
  if (c) free_comm(c, false);
}

NcclComm* nccl_comm_split(NcclComm* c, int color, int key) {
  auto* s = new NcclComm;
  s->gpu = c->gpu;
  try {
    NCCL_CHECK(ncclCommSplit(c->comm, color, key, &s->comm, nullptr));
    add_events(s);
  } catch (...) {
    free_comm(s, true);
    throw;
  }
  return s;
}

// Both run on the watchdog's thread, where nothing may throw: a failed call comes back as the line
// NCCL_CHECK / CUDA_CHECK would have thrown (the call, its code, file:line).
std::string nccl_async_error(NcclComm* c) {
  ncclResult_t r = ncclSuccess;
  try {
    NCCL_CHECK(ncclCommGetAsyncError(c->comm, &r));
  } catch (const std::exception& e) {
    return e.what();
  }
  if (r == ncclSuccess || r == ncclInProgress) return "";
  std::string what = std::string(ncclGetErrorString(r));
  if (const char* last = ncclGetLastError(c->comm); last && *last) what += std::string(" (") + last + ")";
  return what;
}

bool nccl_finished(NcclComm* c, int64_t k, std::string& error) {
  try {
    CUDA_CHECK(cudaSetDevice(c->gpu));
    const cudaError_t r = cudaEventQuery(c->done[k % kNcclEventRing]);
    if (r == cudaErrorNotReady) return false;
    if (r != cudaSuccess)
      cuda_fail("CUDA", "cudaEventQuery(done[k])", __FILE__, __LINE__, int(r), cudaGetErrorString(r));
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

void nccl_allreduce(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, NcclOp op) {
  NCCL_CHECK(ncclAllReduce(p, p, count, nccl_type(t), nccl_op(op), c->comm, stream_of(ctx)));
  mark_queued(ctx, c);
}

void nccl_allgather(Ctx& ctx, NcclComm* c, const void* in, void* out, size_t count, NcclType t) {
  NCCL_CHECK(ncclAllGather(in, out, count, nccl_type(t), c->comm, stream_of(ctx)));
  mark_queued(ctx, c);
}

void nccl_broadcast(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, int root) {
  NCCL_CHECK(ncclBroadcast(p, p, count, nccl_type(t), root, c->comm, stream_of(ctx)));
  mark_queued(ctx, c);
}

}  // namespace aws
