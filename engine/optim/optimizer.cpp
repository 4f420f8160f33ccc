// Parameter-list checks shared by the optimizers and gradient clipping.
#include "engine/optim/optimizer.h"

namespace aws {

void check_params(const char* op, const ParamList& params) {
  for (const ParamRef& r : params) {
    if (!r.param || !r.grad)
      throw Error(std::string(op) + ": parameter '" + r.name + "' has no " + (r.param ? "gradient" : "tensor"));
    check_dtype(op, r.name.c_str(), *r.param, DType::f32);
    check_dtype(op, r.name.c_str(), *r.grad, DType::f32);
    check_shape(op, r.name.c_str(), *r.grad, r.param->shape);
    check_same_device(op, *r.param, *r.grad);
    check_same_device(op, *r.param, *params.front().param);
  }
}

void check_step_scalars(const char* op, const ParamList& params, const Tensor& lr, const Tensor* grad_scale) {
  check_shape(op, "lr", lr, Shape{1});
  check_dtype(op, "lr", lr, DType::f32);
  if (!lr.data) throw Error(std::string(op) + ": lr has no data");
  if (!params.empty()) check_same_device(op, *params.front().param, lr);
  if (grad_scale) {
    check_shape(op, "grad_scale", *grad_scale, Shape{1});
    check_dtype(op, "grad_scale", *grad_scale, DType::f32);
    if (!params.empty()) check_same_device(op, *params.front().param, *grad_scale);
  }
}

}  // namespace aws
