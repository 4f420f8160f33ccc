// How one search spreads over the ranks of a job (issue 14, docs/DISTRIBUTED.md), on host buffers:
//   - every rank checks at start that all hold the same configuration, data and binary (an all-gathered
//     XXH3 of their identity), and after every loop that all hold the same θ;
//   - rank 0 alone reads and writes the run directory; what a resume reads (ω_share, the stage-1
//     checkpoint, the controller state) it broadcasts, so no shared file system is needed;
//   - stage 2's K trajectory slots: rank r runs the slots k ≡ r (mod W) (W ≤ K), and the outcomes are
//     gathered in slot order (each rank adds its own slots into a zeroed K-slot buffer: a sum with one
//     non-zero term per element is exact), so every rank then runs the same PPO update in double.
// A trajectory depends only on (ω_share, θ, seed, loop, slot), so stage 2 gives the same policy, byte
// for byte, at any W ≤ K (cpu, the same threads per rank).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/dist/communicator.h"
#include "engine/runtime/arena.h"
#include "search/search_session.h"

namespace aws {

class SearchRanks {
 public:
  explicit SearchRanks(Communicator& comm) : comm_(comm) {}
  Communicator& comm() const { return comm_; }
  int rank() const { return comm_.rank(); }
  int size() const { return comm_.size(); }
  bool writes() const { return comm_.rank() == 0; }  // the one rank that touches the run directory
  bool runs_slot(int slot) const { return slot % comm_.size() == comm_.rank(); }

  // UserError naming the first rank whose `identity` (any text: digest, fingerprint, build) differs
  // from rank 0's; `what` says what the text stands for.
  void check_same(Ctx& ctx, const std::string& identity, const std::string& what) const;
  // Rank 0's value, on every rank.
  int64_t broadcast(Ctx& ctx, int64_t v) const;
  void broadcast(Ctx& ctx, std::vector<uint8_t>& bytes) const;  // rank 0's bytes, resized on the others
  void broadcast(Ctx& ctx, Arena& a) const;                      // rank 0's arena contents (host arenas)
  // Every rank's outcomes of the slots it ran (the others untouched) → all K outcomes on every rank.
  // `epochs`: accuracies per trajectory (1 for P_AV).
  void gather(Ctx& ctx, std::vector<TrajectoryOutcome>& outs, int epochs) const;

 private:
  Communicator& comm_;
};

}  // namespace aws
