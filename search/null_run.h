// The null run of a search (SPEC §8a): the same controller, fed the real run's rewards in a seeded
// permutation, with pair counts drawn under the null's own θ (no fine-tuning, so it costs seconds).
// Whatever a real search's policy shows that its null's also shows is noise: the report puts the two
// side by side (entropy, KL to uniform, element marginals, top-pair overlap, planted-element mass).
//   RUN/null-<seed>/log.jsonl, policy.json (best θ), policy-last.json, summary.json
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace aws {

// Runs the null of the completed loops of the search in `run_dir`; returns its summary.json.
// UserError naming the file when the run directory has no completed loop.
nlohmann::json run_null(const std::string& run_dir, uint64_t null_seed);

// The folder of the null with `null_seed` inside `run_dir`.
std::string null_dir(const std::string& run_dir, uint64_t null_seed);

}  // namespace aws
