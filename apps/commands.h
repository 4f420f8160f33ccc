// Each subcommand family registers itself on the CLI11 app; main.cpp calls them all.
// Commands report bad input by throwing aws::UserError (printed as one line, exit code 2).
#pragma once
#include <CLI/CLI.hpp>

namespace aws::cli {

void add_train_commands(CLI::App& app);    // cmd_train.cpp: train, eval
void add_bench_command(CLI::App& app);     // cmd_bench.cpp: bench train-step (+ add_bench_* below)
void add_augment_command(CLI::App& app);   // cmd_augment.cpp: augment apply | preview
void add_bench_augment(CLI::App& bench);   // bench_augment.cpp: bench augment
void add_bench_elements(CLI::App& bench);  // bench_elements.cpp: bench elements
void add_bench_decode(CLI::App& bench);    // bench_decode.cpp: bench decode
void add_bench_allreduce(CLI::App& bench); // bench_allreduce.cpp: bench allreduce
void add_search_commands(CLI::App& app);   // cmd_search.cpp: search, report, correlate
void add_export_command(CLI::App& app);    // cmd_export.cpp: export (a checkpoint for PyTorch)

// CLI11 check for a seed flag (--seed, --data-seed): 0 .. 2^64-1, no sign, no wrap-around.
CLI::Validator seed_check(const std::string& flag);

}  // namespace aws::cli
