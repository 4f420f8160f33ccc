// Model files: save the state arena with a JSON meta header; read and validate both (model_file.h).
#include "train/model_file.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/runtime/memory.h"
#include "engine/io/checkpoint.h"

namespace aws {

namespace {

nlohmann::json info_to_json(const ModelFileInfo& i) {
  return {{"model", i.spec.name},   {"h", i.spec.h},         {"w", i.spec.w},
          {"c", i.spec.c},          {"classes", i.spec.classes}, {"bn_momentum", i.spec.bn_momentum},
          {"dataset", i.dataset},   {"mean", {i.norm.mean[0], i.norm.mean[1], i.norm.mean[2]}},
          {"std", {i.norm.std[0], i.norm.std[1], i.norm.std[2]}},
          {"network_bytes", i.network_bytes}, {"extra", i.extra}};
}

[[noreturn]] void bad_meta(const std::string& path, const std::string& field, const std::string& what) {
  throw UserError(path + ": meta." + field + ": " + what);
}

// An integer field in [lo, hi]; 28.5 or "28" is refused (nlohmann would truncate or throw raw).
int64_t meta_int(const nlohmann::json& j, const std::string& path, const char* field, int64_t lo, int64_t hi) {
  if (!j.contains(field)) bad_meta(path, field, "missing");
  const auto& v = j[field];
  if (!v.is_number_integer()) bad_meta(path, field, "must be an integer, got " + v.dump());
  if (v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t(hi) : (v.get<int64_t>() < lo || v.get<int64_t>() > hi))
    bad_meta(path, field, v.dump() + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v.get<int64_t>();
}

// A finite number (float range).
float meta_float(const nlohmann::json& v, const std::string& path, const std::string& field) {
  if (!v.is_number()) bad_meta(path, field, "must be a number, got " + v.dump());
  double x = v.get<double>();
  if (!std::isfinite(x) || std::fabs(x) > double(std::numeric_limits<float>::max()))
    bad_meta(path, field, "not a finite float: " + v.dump());
  return float(x);
}

std::string meta_string(const nlohmann::json& j, const std::string& path, const char* field) {
  if (!j.contains(field)) bad_meta(path, field, "missing");
  if (!j[field].is_string()) bad_meta(path, field, "must be a string, got " + j[field].dump());
  return j[field].get<std::string>();
}

ModelFileInfo info_from_json(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw UserError(path + ": meta: not valid JSON");
  }
  if (!j.is_object()) throw UserError(path + ": meta: must be a JSON object");
  ModelFileInfo i;
  constexpr int64_t kMaxSide = 65535;
  i.spec.name = meta_string(j, path, "model");
  i.spec.h = int(meta_int(j, path, "h", 1, kMaxSide));
  i.spec.w = int(meta_int(j, path, "w", 1, kMaxSide));
  i.spec.c = int(meta_int(j, path, "c", 1, 3));
  i.spec.classes = int(meta_int(j, path, "classes", 1, 65536));
  if (!j.contains("bn_momentum")) bad_meta(path, "bn_momentum", "missing");
  i.spec.bn_momentum = meta_float(j["bn_momentum"], path, "bn_momentum");
  if (!(i.spec.bn_momentum >= 0.f && i.spec.bn_momentum <= 1.f))
    bad_meta(path, "bn_momentum", "must be in [0, 1]");
  i.dataset = meta_string(j, path, "dataset");
  for (const char* key : {"mean", "std"}) {
    if (!j.contains(key)) bad_meta(path, key, "missing");
    const auto& a = j[key];
    if (!a.is_array() || a.size() != 3) bad_meta(path, key, "must be an array of 3 numbers");
    for (size_t c = 0; c < 3; ++c) {
      const std::string f = std::string(key) + "[" + std::to_string(c) + "]";
      float v = meta_float(a[c], path, f);
      if (key[0] == 's' && !(v > 0.f)) bad_meta(path, f, "normalization std must be > 0, got " + a[c].dump());
      (key[0] == 'm' ? i.norm.mean : i.norm.std)[c] = v;
    }
  }
  i.network_bytes = size_t(meta_int(j, path, "network_bytes", 1, std::numeric_limits<int64_t>::max()));
  if (j.contains("extra") && !j["extra"].is_object() && !j["extra"].is_null())
    bad_meta(path, "extra", "must be an object");
  i.extra = j.value("extra", nlohmann::json::object());
  return i;
}

// The network part is f32 parameters and batch-norm statistics (models/model.h): all finite.
void check_finite_network(const std::vector<uint8_t>& state, size_t network_bytes, const std::string& path) {
  for (size_t off = 0; off + 4 <= network_bytes; off += 4) {
    float v;
    std::memcpy(&v, state.data() + off, 4);
    if (!std::isfinite(v))
      throw UserError(path + ": state: non-finite weight (" + std::to_string(v) + ") at byte " +
                      std::to_string(off) + " of the network part; the model diverged or the file is corrupt");
  }
}

CheckpointData read_checked(const std::string& path, ModelFileInfo* info) {
  CheckpointData d = checkpoint_read(path);
  if (d.kind != "model-state") throw UserError(path + ": kind '" + d.kind + "', expected 'model-state'");
  *info = info_from_json(d.meta_json, path);
  return d;
}

}  // namespace

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
  const CheckpointData d = checkpoint_read_header(path);  // the header only: not the state's bytes
  if (d.kind != "model-state") throw UserError(path + ": kind '" + d.kind + "', expected 'model-state'");
  return info_from_json(d.meta_json, path);
}

void load_model_file(Ctx& ctx, const std::string& path, Model& model, OptimizerState optimizer) {
  ModelFileInfo i;
  CheckpointData d = read_checked(path, &i);
  const Blob& b = d.blob("state", path);
  const size_t need_net = model.network_state_bytes(), need_all = model.state.bytes();
  if (i.network_bytes != need_net)
    throw UserError(path + ": meta.network_bytes is " + std::to_string(i.network_bytes) + ", model '" +
                    model.spec.name + "' has " + std::to_string(need_net) + " network bytes");
  if (b.bytes.size() < need_net)
    throw UserError(path + ": state: holds " + std::to_string(b.bytes.size()) + " bytes, fewer than the " +
                    std::to_string(need_net) + " network bytes of model '" + model.spec.name + "'");
  if (optimizer == OptimizerState::required && b.bytes.size() != need_all)
    throw UserError(path + ": state: holds " + std::to_string(b.bytes.size()) + " bytes, " +
                    (b.bytes.size() == need_net ? std::string("only the network part, without optimizer state")
                                                : std::string("not this optimizer's layout")) +
                    "; resuming needs the whole state (" + std::to_string(need_all) + " bytes)");
  check_finite_network(b.bytes, need_net, path);
  // The whole arena when the file matches it; otherwise (evaluation of a file saved with optimizer
  // state, or a network-only file) the network part.
  size_t n = b.bytes.size() == need_all ? need_all : need_net;
  mem_copy(ctx, model.state.base(), b.bytes.data(), n, CopyKind::host_to_dev);
  ctx.sync();
}

}  // namespace aws
