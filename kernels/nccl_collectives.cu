// NCCL collectives (see nccl_collectives.h). The id, the communicator and every collective go through
// NCCL_CHECK; a collective runs on the context's stream like the kernels around it.
#include <nccl.h>

#include <cstring>

#include "kernels/cuda_check.h"
#include "kernels/cuda_context.h"
#include "kernels/nccl_collectives.h"

#define NCCL_CHECK(call) AWS_GPU_CHECK_("NCCL", ncclResult_t, ncclSuccess, ncclGetErrorString, call)

static_assert(sizeof(ncclUniqueId) == aws::kNcclIdBytes, "NCCL_UNIQUE_ID_BYTES changed");

namespace aws {

struct NcclComm {
  ncclComm_t comm = nullptr;
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
  try {
    NCCL_CHECK(ncclCommInitRank(&c->comm, size, u, rank));
  } catch (...) {
    delete c;
    throw;
  }
  return c;
}

void nccl_comm_destroy(NcclComm* c) {
  if (!c) return;
  if (c->comm) ncclCommDestroy(c->comm);  // a destructor's path: not checked
  delete c;
}

void nccl_comm_abort(NcclComm* c) {
  if (!c) return;
  if (c->comm) ncclCommAbort(c->comm);
  delete c;
}

NcclComm* nccl_comm_split(NcclComm* c, int color, int key) {
  auto* s = new NcclComm;
  try {
    NCCL_CHECK(ncclCommSplit(c->comm, color, key, &s->comm, nullptr));
  } catch (...) {
    delete s;
    throw;
  }
  return s;
}

void nccl_allreduce(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, NcclOp op) {
  NCCL_CHECK(ncclAllReduce(p, p, count, nccl_type(t), nccl_op(op), c->comm, stream_of(ctx)));
}

void nccl_allgather(Ctx& ctx, NcclComm* c, const void* in, void* out, size_t count, NcclType t) {
  NCCL_CHECK(ncclAllGather(in, out, count, nccl_type(t), c->comm, stream_of(ctx)));
}

void nccl_broadcast(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, int root) {
  NCCL_CHECK(ncclBroadcast(p, p, count, nccl_type(t), root, c->comm, stream_of(ctx)));
}

}  // namespace aws
