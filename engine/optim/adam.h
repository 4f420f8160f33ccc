// Adam with torch.optim.Adam semantics (no amsgrad): L2 weight decay added to the gradient for
// tensors with ParamRef::decay, bias corrections 1 − β^t computed in double. The moments and the
// step count live in the state arena, so snapshot/restore covers them.
#pragma once
#include <memory>

#include "engine/optim/optimizer.h"
#include "kernels/adam.h"

namespace aws {

class Adam final : public Optimizer {
 public:
  explicit Adam(AdamConfig cfg);
  void declare_state(Arena& state, const ParamList& params) override;
  void step(Ctx& ctx, const Tensor& lr, const Tensor* grad_scale = nullptr) override;

  const AdamConfig& config() const { return cfg_; }
  const Tensor& exp_avg(size_t i) const { return m_[i]; }
  const Tensor& exp_avg_sq(size_t i) const { return v_[i]; }
  const Tensor& step_count() const { return t_; }  // i32[1]: steps taken

 private:
  AdamConfig cfg_;
  ParamList params_;
  std::unique_ptr<Tensor[]> m_, v_;
  Tensor t_;
};

// Backend entry points: increment `step` (i32[1], on the device for cuda) and update every tensor.
void adam_step_cpu(Ctx& ctx, const AdamConfig& cfg, const ParamList& params, const Tensor* m,
                   const Tensor* v, Tensor& step, const Tensor& lr, const Tensor* grad_scale);

}  // namespace aws
