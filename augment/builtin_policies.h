// Built-in policies by name, and load_policy, which resolves a built-in name or reads a file.
//   none                no augmentation at all
//   crop-flip           pad-4 crop + flip (the paper's "baseline" pre-processing)
//   cutout              crop + flip + Cutout
//   uniform             crop + flip + Cutout + a uniform pair-op (the stage-1 policy)
//   autoaugment-cifar10 AutoAugment's CIFAR-10 policy mapped onto our elements (+ identity letter)
//   randaugment[-N-M]   RandAugment(N, M), N in {1, 2}, M in [0, 30]; plain "randaugment" = N 2, M 9
//   trivialaugment      TrivialAugment: one op, uniform over ops and our magnitude levels
// docs/AUGMENT.md says exactly which parts of the last three map onto our elements and which do not.
#pragma once
#include <string>
#include <vector>

#include "augment/policy.h"

namespace aws {

std::vector<std::string> builtin_policy_names();

// True when `name` is a built-in (randaugment-N-M with any N, M counts).
bool is_builtin_policy(const std::string& name);

// The built-in policy `name`; UserError listing the names for an unknown one.
Policy builtin_policy(const std::string& name);

Policy randaugment_policy(int n, int m);

// A built-in name, else a policy file path (read strictly). The error for neither names both.
Policy load_policy(const std::string& name_or_file);

}  // namespace aws
