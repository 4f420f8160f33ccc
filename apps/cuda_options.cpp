#include "apps/cuda_options.h"

#include "core/error.h"

namespace aws::cli {

void add_math_option(CLI::App* cmd, std::string& math) {
  cmd->add_option("--math", math,
                  "cuda math: auto (tf32 on cuda) | strict (fp32 FMA) | tf32 | bf16 (bf16 activations, fp32 master "
                  "weights)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "strict", "tf32", "bf16"}));
}

void add_cuda_graphs_flag(CLI::App* cmd, bool& graphs) {
  cmd->add_flag("--cuda-graphs", graphs,
                "capture each epoch's train step as a CUDA graph and replay it (cuda only; default off)");
}

void check_cuda_graphs(bool graphs, Device dev) {
  if (graphs && dev != Device::cuda) throw UserError("--cuda-graphs: CUDA graphs need --device cuda");
}

}  // namespace aws::cli
