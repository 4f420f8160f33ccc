// The policy file (SPEC.md §13): a versioned JSON object with sorted keys and no timestamps, so the
// same policy always gives the same bytes. The reader is strict: unknown or duplicate keys, wrong
// counts, element names out of order, negative or non-finite probabilities, a sum further than
// kProbSumTolerance (1e-6) from 1, or a `top` list that is missing (when there are probs) or is not
// exactly what the writer puts there (the 25 most likely pairs, sorted by p descending, ties by
// pair index) → UserError "<file>: <field>: <what is wrong>".
#pragma once
#include <string>

#include "augment/policy.h"

namespace aws {

constexpr int kPolicyTopPairs = 25;

// The file's text: keys sorted, 2-space indent, final newline. Only 36-letter policies and
// policies without a pair-op have a file; a built-in rule over the identity letter throws UserError.
std::string policy_to_json(const Policy& p);

// Writes policy_to_json with atomic_write_file (unique temporary file, fsync, rename, fsync folder).
void write_policy_json(const std::string& path, const Policy& p);

// Parses a policy file's text; `file` names it in error messages.
Policy parse_policy_json(const std::string& text, const std::string& file);

// Reads and parses a policy file.
Policy read_policy_json(const std::string& path);

// Checks a distribution over the 1296 pair-ops; `file` and field "probs" name it in the error.
void check_probs(const std::vector<double>& probs, size_t want, const std::string& file);

}  // namespace aws
