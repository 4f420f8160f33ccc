// NCCL collectives on device buffers, for the nccl communicator of engine/dist/
// (communicator_nccl.cpp): the only NCCL calls in the engine, each checked like the CUDA libraries'
// (NCCL_CHECK: the call, NCCL's error string, file:line). Built only with AWS_NCCL.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace aws {

struct Ctx;
struct NcclComm;  // opaque: ncclComm_t

constexpr size_t kNcclIdBytes = 128;  // NCCL_UNIQUE_ID_BYTES

enum class NcclType { f32, f64, i32, u8 };
enum class NcclOp { sum, max, avg };

// A fresh unique id (rank 0 makes it; the others receive it over the host communicator).
void nccl_unique_id(uint8_t id[kNcclIdBytes]);
// Joins the communicator of `size` ranks named by `id` as `rank`, on ctx's GPU.
NcclComm* nccl_comm_create(Ctx& ctx, const uint8_t id[kNcclIdBytes], int rank, int size);
void nccl_comm_destroy(NcclComm* c);  // frees; pending work is waited for
// The ranks passing the same color form a new communicator ranked by key (ncclCommSplit).
NcclComm* nccl_comm_split(NcclComm* c, int color, int key);

// For a watchdog thread (engine/dist/watchdog.h), while the rank's own thread may be blocked on the
// stream: NCCL's asynchronous error ("" while there is none), and whether collective number k (counted
// from 0 in the order this communicator's collectives were queued) has finished on the GPU (false with
// `error` set when the query itself failed: a broken context). An event is recorded after each
// collective into a ring of kNcclEventRing, so the answer holds for the last kNcclEventRing / 2
// collectives queued (older slots may be recording newer ones). Never called on a graph's captured
// collectives (trainer: no CUDA graphs with data-parallel ranks), whose events cannot be queried.
constexpr int kNcclEventRing = 64;
std::string nccl_async_error(NcclComm* c);
bool nccl_finished(NcclComm* c, int64_t k, std::string& error);

// On ctx's stream, in place where the API allows it.
void nccl_allreduce(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, NcclOp op);
void nccl_allgather(Ctx& ctx, NcclComm* c, const void* in, void* out, size_t count, NcclType t);
void nccl_broadcast(Ctx& ctx, NcclComm* c, void* p, size_t count, NcclType t, int root);

}  // namespace aws
