#include "search/model_file.h"

#include <vector>

#include "engine/core/memory.h"
#include "engine/io/checkpoint.h"

namespace aws {

static nlohmann::json info_to_json(const ModelFileInfo& i) {
  return {{"model", i.spec.name},   {"h", i.spec.h},         {"w", i.spec.w},
          {"c", i.spec.c},          {"classes", i.spec.classes}, {"bn_momentum", i.spec.bn_momentum},
          {"dataset", i.dataset},   {"mean", {i.norm.mean[0], i.norm.mean[1], i.norm.mean[2]}},
          {"std", {i.norm.std[0], i.norm.std[1], i.norm.std[2]}},
          {"network_bytes", i.network_bytes}, {"extra", i.extra}};
}

static ModelFileInfo info_from_json(const std::string& text, const std::string& path) {
  ModelFileInfo i;
  try {
    auto j = nlohmann::json::parse(text);
    i.spec.name = j.at("model").get<std::string>();
    i.spec.h = j.at("h").get<int>();
    i.spec.w = j.at("w").get<int>();
    i.spec.c = j.at("c").get<int>();
    i.spec.classes = j.at("classes").get<int>();
    i.spec.bn_momentum = j.at("bn_momentum").get<float>();
    i.dataset = j.at("dataset").get<std::string>();
    for (int c = 0; c < 3; ++c) {
      i.norm.mean[c] = j.at("mean").at(size_t(c)).get<float>();
      i.norm.std[c] = j.at("std").at(size_t(c)).get<float>();
    }
    i.network_bytes = j.at("network_bytes").get<size_t>();
    i.extra = j.value("extra", nlohmann::json::object());
  } catch (const nlohmann::json::exception& e) {
    throw UserError(path + ": meta: " + e.what());
  }
  return i;
}

void save_model_file(Ctx& ctx, const std::string& path, const Model& model, const ModelFileInfo& info,
                     bool with_optimizer) {
  ModelFileInfo i = info;
  i.spec = model.spec;
  i.network_bytes = model.network_state_bytes();
  size_t n = with_optimizer ? model.state.bytes() : model.network_state_bytes();
  std::vector<uint8_t> host(n);
  mem_copy(ctx, host.data(), model.state.base(), n, CopyKind::dev_to_host);
  ctx.sync();
  CheckpointData d;
  d.kind = "model-state";
  d.meta_json = info_to_json(i).dump();
  d.blobs.push_back(Blob::of("state", DType::u8, {int64_t(n)}, host.data()));
  checkpoint_write(path, d);
}

ModelFileInfo read_model_file_info(const std::string& path) {
  CheckpointData d = checkpoint_read(path);
  if (d.kind != "model-state") throw UserError(path + ": kind '" + d.kind + "', expected 'model-state'");
  return info_from_json(d.meta_json, path);
}

void load_model_file(Ctx& ctx, const std::string& path, Model& model) {
  CheckpointData d = checkpoint_read(path);
  if (d.kind != "model-state") throw UserError(path + ": kind '" + d.kind + "', expected 'model-state'");
  ModelFileInfo i = info_from_json(d.meta_json, path);
  const Blob& b = d.blob("state", path);
  if (i.network_bytes != model.network_state_bytes() || b.bytes.size() < i.network_bytes)
    throw UserError(path + ": state holds " + std::to_string(i.network_bytes) + " network bytes, model '" +
                    model.spec.name + "' needs " + std::to_string(model.network_state_bytes()));
  size_t n = b.bytes.size() == model.state.bytes() ? b.bytes.size() : i.network_bytes;
  mem_copy(ctx, model.state.base(), b.bytes.data(), n, CopyKind::host_to_dev);
  ctx.sync();
}

}  // namespace aws
