// Model → PyTorch state_dict as safetensors (see model_export.h).
#include "train/model_export.h"

#include <cstring>

#include "core/strprintf.h"
#include "engine/runtime/build_info.h"
#include "engine/runtime/memory.h"

namespace aws {

namespace {

std::vector<float> host_floats(Ctx& ctx, const Tensor& t) {
  std::vector<float> v(size_t(t.numel()));
  if (t.device == Device::cuda) {
    mem_copy(ctx, v.data(), t.data, v.size() * sizeof(float), CopyKind::dev_to_host);
    ctx.sync();
  } else if (!v.empty()) {
    std::memcpy(v.data(), t.data, v.size() * sizeof(float));
  }
  return v;
}

SafeTensor f32_tensor(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v) {
  SafeTensor s{name, "F32", std::move(shape), std::vector<uint8_t>(v.size() * sizeof(float))};
  if (!v.empty()) std::memcpy(s.bytes.data(), v.data(), s.bytes.size());
  return s;
}

}  // namespace

std::vector<SafeTensor> torch_state_dict(Ctx& ctx, const Model& model) {
  std::vector<SafeTensor> out;
  for (const ParamRef& p : model.params) {
    const Tensor& t = *p.param;
    const std::vector<float> v = host_floats(ctx, t);
    if (t.shape.rank == 4) {  // a convolution: ours [K,R,S,C] → PyTorch [K,C,R,S]
      const int64_t K = t.dim(0), R = t.dim(1), S = t.dim(2), C = t.dim(3);
      std::vector<float> o(v.size());
      for (int64_t k = 0; k < K; ++k)
        for (int64_t r = 0; r < R; ++r)
          for (int64_t s = 0; s < S; ++s)
            for (int64_t c = 0; c < C; ++c)
              o[size_t(((k * C + c) * R + r) * S + s)] = v[size_t(((k * R + r) * S + s) * C + c)];
      out.push_back(f32_tensor(p.name, {K, C, R, S}, o));
    } else {
      std::vector<int64_t> shape;
      for (int i = 0; i < t.shape.rank; ++i) shape.push_back(t.dim(i));
      out.push_back(f32_tensor(p.name, shape, v));
    }
  }
  for (const BufferRef& b : model.buffers) {
    out.push_back(f32_tensor(b.name, {b.t->dim(0)}, host_floats(ctx, *b.t)));
    if (b.name.ends_with(".running_var")) {  // one per BN, after its statistics, as PyTorch orders them
      const std::string bn = b.name.substr(0, b.name.size() - std::string("running_var").size());
      out.push_back(SafeTensor{bn + "num_batches_tracked", "I64", {}, std::vector<uint8_t>(8, 0)});
    }
  }
  return out;
}

void export_safetensors(Ctx& ctx, const Model& model, const ModelFileInfo& info, const std::string& path) {
  auto list = [](const float* v, int c) {
    std::string s;
    for (int i = 0; i < c; ++i) s += (i ? "," : "") + strprintf("%.9g", double(v[i]));  // exact float
    return s;
  };
  const std::map<std::string, std::string> meta{
      {"format", "pt"},
      {"aws.model", info.spec.name},
      {"aws.dataset", info.dataset},
      {"aws.input_hwc",
       std::to_string(info.spec.h) + "," + std::to_string(info.spec.w) + "," + std::to_string(info.spec.c)},
      {"aws.classes", std::to_string(info.spec.classes)},
      {"aws.mean", list(info.norm.mean, info.spec.c)},
      {"aws.std", list(info.norm.std, info.spec.c)},
      {"aws.layout", "conv weights OIHW; the network takes NCHW input normalized by aws.mean/aws.std"},
      {"aws.revision", build_info_json().value("revision", std::string())}};
  write_safetensors(path, torch_state_dict(ctx, model), meta);
}

}  // namespace aws
