// The nccl communicator at world size 1 (one GPU cannot hold two NCCL ranks; the multi-rank tests need
// >= 2 GPUs and are not written): device tensors go through NCCL and come back unchanged (sum, mean,
// max of one rank), allgather copies, broadcast keeps; host tensors go to the host communicator; a
// dtype NCCL is not asked to reduce is refused before any call; the watchdog's probes answer on a healthy
// communicator. Built only with AWS_NCCL.
#include <doctest/doctest.h>

#if defined(AWS_WITH_NCCL)
#include <vector>

#include "core/context.h"
#include "engine/dist/communicator.h"
#include "engine/runtime/memory.h"
#include "kernels/nccl_collectives.h"

namespace aws::test {

TEST_CASE("nccl communicator, one rank: collectives on device buffers are the identity") {
  Ctx ctx(Device::cuda);
  std::unique_ptr<Communicator> c = make_nccl_communicator(ctx, make_single_communicator());
  CHECK(c->backend() == "nccl");
  CHECK(c->size() == 1);
  const std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f};
  void* d = mem_alloc(Device::cuda, v.size() * 4);
  void* g = mem_alloc(Device::cuda, v.size() * 4);
  mem_copy(ctx, d, v.data(), v.size() * 4, CopyKind::host_to_dev);
  Tensor t(d, Shape{int64_t(v.size())}, DType::f32, Device::cuda), out(g, t.shape, DType::f32, Device::cuda);
  for (ReduceOp op : {ReduceOp::sum, ReduceOp::mean, ReduceOp::max}) c->allreduce(ctx, t, op);
  c->allgather(ctx, t, out);
  c->broadcast(ctx, t, 0);
  std::vector<float> back(v.size()), gathered(v.size());
  mem_copy(ctx, back.data(), d, v.size() * 4, CopyKind::dev_to_host);
  mem_copy(ctx, gathered.data(), g, v.size() * 4, CopyKind::dev_to_host);
  CHECK(back == v);
  CHECK(gathered == v);
  std::vector<double> h = {2.0, 4.0};
  Tensor th(h.data(), Shape{2}, DType::f64);
  c->allreduce(ctx, th, ReduceOp::sum);  // the host communicator's
  CHECK(h == std::vector<double>{2.0, 4.0});
  Tensor bad(d, Shape{int64_t(v.size() * 4)}, DType::u8, Device::cuda);
  CHECK_THROWS_AS(c->allreduce(ctx, bad, ReduceOp::sum), Error);
  c->barrier();
  mem_free(Device::cuda, d);
  mem_free(Device::cuda, g);
}

// What the watchdog's probe reads (kernels/nccl_collectives.h): no asynchronous error on a healthy
// communicator, and the last collectives seen finished once the stream has run them.
TEST_CASE("nccl collectives: a healthy communicator's queue drains and reports no error") {
  Ctx ctx(Device::cuda);
  uint8_t id[kNcclIdBytes];
  nccl_unique_id(id);
  NcclComm* c = nccl_comm_create(ctx, id, 0, 1);
  void* d = mem_alloc(Device::cuda, 1 << 20);
  const int n = kNcclEventRing + 6;  // past one turn of the event ring
  for (int k = 0; k < n; ++k) nccl_allreduce(ctx, c, d, (1 << 20) / 4, NcclType::f32, NcclOp::sum);
  ctx.sync();
  std::string error;
  for (int k = n - kNcclEventRing / 2; k < n; ++k) CHECK(nccl_finished(c, k, error));
  CHECK(error.empty());
  CHECK(nccl_async_error(c).empty());
  mem_free(Device::cuda, d);
  nccl_comm_destroy(c);
}

}  // namespace aws::test
#endif
