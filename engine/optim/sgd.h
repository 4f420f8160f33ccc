// SGD with momentum, Nesterov and weight decay excluded per tensor (ParamRef::decay), with
// torch.optim.SGD semantics (dampening 0): d = g + wd·p; buf = momentum·buf + d (zero buffers make
// the first step buf = d); nesterov: d += momentum·buf, else d = buf; p -= lr·d.
// The momentum buffers live in the state arena (they are part of ω_share).
#pragma once
#include <memory>

#include "engine/optim/optimizer.h"
#include "kernels/sgd.h"

namespace aws {

class Sgd final : public Optimizer {
 public:
  explicit Sgd(SgdConfig cfg);
  void declare_state(Arena& state, const ParamList& params) override;
  void step(Ctx& ctx, const Tensor& lr, const Tensor* grad_scale = nullptr) override;

  const SgdConfig& config() const { return cfg_; }
  const ParamList& params() const { return params_; }
  // Momentum buffer of parameter i (empty tensors when momentum is 0).
  const Tensor& buffer(size_t i) const { return bufs_[i]; }

 private:
  SgdConfig cfg_;
  ParamList params_;
  std::unique_ptr<Tensor[]> bufs_;  // stable addresses: the arena points them at commit
};

// Backend entry points; bufs has params.size() entries; grad_scale may be null.
void sgd_step_cpu(Ctx& ctx, const SgdConfig& cfg, const ParamList& params, const Tensor* bufs, const Tensor& lr,
                  const Tensor* grad_scale);

}  // namespace aws
