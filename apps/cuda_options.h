// The options shared by `aws train`, `aws bench train-step` and `aws search` that say how the cuda
// backend runs: --math (models/precision.h) and --cuda-graphs (the whole train step captured once per
// epoch and replayed, train/trainer.h; off by default until it has been verified on a GPU).
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "core/context.h"

namespace aws::cli {

void add_math_option(CLI::App* cmd, std::string& math);
void add_cuda_graphs_flag(CLI::App* cmd, bool& graphs);

// --cuda-graphs needs the cuda backend: UserError naming the flag on the cpu.
void check_cuda_graphs(bool graphs, Device dev);

}  // namespace aws::cli
