// `aws export`: a model checkpoint (`aws train`'s model.ckpt, a search's omega_share.ckpt) as a
// PyTorch state_dict in safetensors (train/model_export.h), for the definitions in bench/torch_models.py.
#include <cstdio>

#include "apps/commands.h"
#include "core/error.h"
#include "train/model_export.h"
#include "train/model_file.h"

namespace aws::cli {

namespace {

void run_export(const std::string& ckpt, const std::string& format, const std::string& out) {
  if (format != "safetensors") throw UserError("--format " + format + ": the formats are: safetensors");
  const ModelFileInfo info = read_model_file_info(ckpt);
  Ctx ctx(Device::cpu, 1);
  auto model = create_model(info.spec, 1, ctx.device);
  model->commit(ctx);
  load_model_file(ctx, ckpt, *model);
  export_safetensors(ctx, *model, info, out);
  std::printf("%s: %s (%lld parameters, %zu BN statistics) written to %s\n", ckpt.c_str(), info.spec.name.c_str(),
              (long long)model->num_params(), model->buffers.size(), out.c_str());
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto ckpt = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("safetensors");
  auto out = std::make_shared<std::string>();
  CLI::App* e = app.add_subcommand("export", "a checkpoint's weights for PyTorch (bench/torch_models.py names)");
  e->add_option("--checkpoint", *ckpt, "model.ckpt or omega_share.ckpt")->required();
  e->add_option("--format", *format, "safetensors")->capture_default_str();
  e->add_option("--out", *out, "output file (written atomically)")->required();
  e->callback([=] { run_export(*ckpt, *format, *out); });
}

}  // namespace aws::cli
