#include "apps/world_option.h"

namespace aws::cli {

void add_world_size_option(CLI::App* cmd, int& world_size) {
  cmd->add_option("--world-size", world_size,
                  "ranks in this job: 0 = as the launcher's environment says (mpirun, srun), 1 = this process "
                  "alone (also inside an sbatch shell), N = MPI must have started N ranks (docs/DISTRIBUTED.md)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
}

}  // namespace aws::cli
