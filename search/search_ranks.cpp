// The search's rank plumbing (see search_ranks.h).
#include "search/search_ranks.h"

#include <cstring>

#include <xxhash.h>

#include "core/error.h"
#include "search/controller.h"
#include "search/search_session.h"

namespace aws {

SearchRanks::SearchRanks(Ctx& ctx, Communicator& world, int k) : comm_(&world) {
  const int w = world.size();
  if (w > k && (k < 1 || w % k != 0))
    throw UserError("--k " + std::to_string(k) + " with " + std::to_string(w) + " ranks: more ranks than trajectory "
                    "slots must be a multiple of them (each slot then runs on W/K ranks), or use at most K ranks");
  if (w == 1) return;
  // The search's own copy of the world: itself on the cpu, NCCL over it on cuda (after a check that all
  // ranks run on the same kind of device).
  device_ = make_device_communicator(ctx, world.split(0, world.rank()));
  comm_ = device_.get();
  if (w <= k) return;
  group_size_ = w / k;
  group_ = comm_->split(comm_->rank() / group_size_, comm_->rank() % group_size_);
}

void SearchRanks::check_same(Ctx& ctx, const std::string& identity, const std::string& what) const {
  if (size() == 1) return;
  if (const int r = first_rank_differing(*comm_, ctx, XXH3_64bits(identity.data(), identity.size())); r >= 0)
    throw UserError("rank " + std::to_string(r) + " has another " + what + " than rank 0 (every rank must run "
                    "the same binary with the same flags on the same data)");
}

double SearchRanks::broadcast_real(Ctx& ctx, double v) const {
  if (size() == 1) return v;
  Tensor t(&v, Shape{1}, DType::f64);
  comm_->broadcast(ctx, t, 0);
  return v;
}

int64_t SearchRanks::broadcast(Ctx& ctx, int64_t v) const { return int64_t(broadcast_real(ctx, double(v))); }

void SearchRanks::broadcast(Ctx& ctx, std::vector<uint8_t>& bytes) const {
  if (size() == 1) return;
  bytes.resize(size_t(broadcast(ctx, int64_t(bytes.size()))));
  std::vector<int32_t> words((bytes.size() + 3) / 4, 0);
  if (writes() && !bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
  Tensor t(words.data(), Shape{int64_t(words.size())}, DType::i32);
  comm_->broadcast(ctx, t, 0);
  if (!bytes.empty()) std::memcpy(bytes.data(), words.data(), bytes.size());
}

void SearchRanks::broadcast(Ctx& ctx, Arena& a) const {
  if (size() == 1) return;
  AWS_ASSERT(a.bytes() % 4 == 0, "SearchRanks::broadcast: an arena of whole words");
  Tensor t(a.base(), Shape{int64_t(a.bytes() / 4)}, DType::i32, a.device());
  comm_->broadcast(ctx, t, 0);
}

void SearchRanks::gather(Ctx& ctx, std::vector<TrajectoryOutcome>& outs, int epochs) const {
  if (size() == 1) return;
  // Per slot: reward, the accuracies, the pair counts, then the four times.
  const size_t per = 1 + size_t(epochs) + size_t(kPairs) + 4;
  std::vector<double> buf(per * outs.size(), 0.0);
  for (size_t k = 0; k < outs.size(); ++k) {
    if (!runs_slot(int(k))) continue;
    const TrajectoryOutcome& o = outs[k];
    AWS_ASSERT(int(o.accs.size()) == epochs && o.traj.counts.size() == size_t(kPairs), "gather: a short outcome");
    double* p = buf.data() + k * per;
    const bool lead = leads_slot(int(k));  // every rank of a group evaluated the same model: one counts
    *p++ = lead ? o.traj.reward : 0.0;
    for (double a : o.accs) *p++ = lead ? a : 0.0;
    for (int64_t c : o.traj.counts) *p++ = double(c);  // this rank's rows; exact: far below 2^53
    if (lead) *p++ = o.times.restore, *p++ = o.times.augment, *p++ = o.times.train, *p++ = o.times.eval;
  }
  Tensor t(buf.data(), Shape{int64_t(buf.size())}, DType::f64);
  comm_->allreduce(ctx, t, ReduceOp::sum);
  for (size_t k = 0; k < outs.size(); ++k) {  // all slots, this rank's too (a group's counts are summed)
    TrajectoryOutcome& o = outs[k];
    const double* p = buf.data() + k * per;
    o.traj.slot = int(k);
    o.traj.reward = *p++;
    o.accs.assign(p, p + epochs);
    p += epochs;
    o.traj.counts.resize(size_t(kPairs));
    for (int64_t& c : o.traj.counts) c = int64_t(*p++);
    o.times.restore = p[0], o.times.augment = p[1], o.times.train = p[2], o.times.eval = p[3];
  }
}

}  // namespace aws
