// How one search spreads over the ranks of a job (issue 14, docs/DISTRIBUTED.md):
//   - every rank checks at start that all hold the same configuration, data and binary (an all-gathered
//     XXH3 of their identity), and after every loop that all hold the same θ;
//   - rank 0 alone reads and writes the run directory; what a resume reads (ω_share, the stage-1
//     checkpoint, the controller state) it broadcasts, so no shared file system is needed;
//   - stage 2's K trajectory slots: with W ≤ K rank r runs the slots k ≡ r (mod W) alone; with W > K (a
//     multiple of K) the ranks form K groups of G = W/K consecutive ranks and group g runs slot g
//     data-parallel (batch / G rows per rank). The outcomes are gathered in slot order: each rank adds
//     its slots into a zeroed K-slot buffer (the pair counts of its own rows; the reward, accuracies and
//     times only from the slot's first rank) and one allreduce sums them, exactly (integers, or one
//     non-zero term); every rank then runs the same PPO update in double.
// A trajectory depends only on (ω_share, θ, seed, loop, slot), so stage 2 gives the same policy, byte
// for byte, at any W ≤ K (cpu, the same threads per rank); a group's data-parallel fine-tune is other
// arithmetic (per-rank BN batch statistics), so W > K is a configuration of its own.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/context.h"
#include "engine/dist/communicator.h"
#include "engine/runtime/arena.h"

namespace aws {

struct TrajectoryOutcome;  // search/search_session.h

class SearchRanks {
 public:
  // world: the job's ranks (host collectives); ctx: this rank's device; k: the trajectory slots of a
  // loop. UserError when W > K is not a multiple of K, or when the ranks run on different kinds of
  // device. On cuda with several ranks, the collectives go through NCCL over a copy of the world (device
  // buffers: stage 1's gradients, ω_share; host buffers still through MPI underneath); `world` must
  // outlive this.
  SearchRanks(Ctx& ctx, Communicator& world, int k);
  Communicator& comm() const { return *comm_; }
  int rank() const { return comm_->rank(); }
  int size() const { return comm_->size(); }
  bool writes() const { return comm_->rank() == 0; }  // the one rank that touches the run directory
  int group_size() const { return group_size_; }     // G: ranks per trajectory (1 when W ≤ K)
  Communicator* group() const { return group_.get(); }  // this rank's group when G > 1, else null
  bool runs_slot(int slot) const {
    return group_size_ > 1 ? slot == rank() / group_size_ : slot % size() == rank();
  }
  bool leads_slot(int slot) const { return runs_slot(slot) && rank() % group_size_ == 0; }

  // UserError naming the first rank whose `identity` (any text: digest, fingerprint, build) differs
  // from rank 0's; `what` says what the text stands for.
  void check_same(Ctx& ctx, const std::string& identity, const std::string& what) const;
  // Rank 0's value, on every rank.
  double broadcast_real(Ctx& ctx, double v) const;
  int64_t broadcast(Ctx& ctx, int64_t v) const;  // counts and flags, exact through a double
  void broadcast(Ctx& ctx, std::vector<uint8_t>& bytes) const;  // rank 0's bytes, resized on the others
  void broadcast(Ctx& ctx, Arena& a) const;                      // rank 0's arena contents
  // Every rank's outcomes of the slots it ran (the others untouched) → all K outcomes on every rank.
  // `epochs`: accuracies per trajectory (1 for P_AV).
  void gather(Ctx& ctx, std::vector<TrajectoryOutcome>& outs, int epochs) const;

 private:
  std::unique_ptr<Communicator> device_;  // W > 1: a copy of the world (cuda: NCCL over it), else null
  Communicator* comm_;                    // device_, or the world (W = 1)
  int group_size_ = 1;
  std::unique_ptr<Communicator> group_;
};

}  // namespace aws
