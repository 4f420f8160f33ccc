// Learning-rate schedules as pure functions of the iteration (stepped per iteration):
// an optional linear warm-up from `warmup_from` to `base` over `warmup` iterations, then one of
//   constant   base
//   step       base · gamma^(milestones passed); a milestone is a fraction f of the span after the
//              warm-up, reached at iteration warmup + round(f · (total − warmup))
//   cosine     floor + (base − floor) · (1 + cos(π · e / E)) / 2 with e = it − warmup,
//              E = total − warmup (torch's CosineAnnealingLR with T_max = E, eta_min = floor)
// SPEC §6: warm-up over 1 epoch 0.05 → 0.2, then cosine to 0.001; SPEC §9: 0.1 → 0.4 over 1.5
// epochs, then cosine to 0.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aws {

enum class LrKind { constant, step, cosine };

struct LrSchedule {
  LrKind kind = LrKind::constant;
  double base = 0.1;               // LR after the warm-up (the peak)
  double floor = 0.0;              // cosine: the LR it decays to
  std::vector<double> milestones;  // step: increasing fractions in (0, 1)
  double gamma = 0.1;              // step: factor per milestone
  int64_t total = 1;               // iterations in the whole run, warm-up included
  int64_t warmup = 0;              // warm-up iterations (0: none)
  double warmup_from = 0.0;        // LR at iteration 0 of the warm-up

  // The LR of iteration `it` (0-based); iterations past `total` keep the last phase's value.
  double at(int64_t it) const;
  // Throws UserError naming `flag` when the numbers cannot describe a schedule.
  void validate(const std::string& flag) const;
  std::string str() const;  // e.g. "warmup(0.05->0.2, 390 it) + cosine(0.2->0.001, 78000 it)"
};

// Parses the kind and its parameters: "constant", "cosine" or "cosine:FLOOR",
// "step:F1,F2,...[:GAMMA]" (e.g. "step:0.5,0.75:0.1"). The caller fills base, total and warm-up.
// Bad strings throw UserError naming `flag`.
LrSchedule parse_lr_schedule(const std::string& spec, const std::string& flag);

}  // namespace aws
