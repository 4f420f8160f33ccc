// --world-size, shared by `aws train` and `aws search`: how many ranks the job has, when the launcher's
// environment does not say it or says it wrongly (engine/dist/communicator.h, make_world_communicator).
#pragma once
#include <CLI/CLI.hpp>

namespace aws::cli {

// 0 (the default): the launcher's environment decides; 1: this process alone; N: MPI with N ranks.
void add_world_size_option(CLI::App* cmd, int& world_size);

}  // namespace aws::cli
