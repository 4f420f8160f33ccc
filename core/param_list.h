// Parameters as the optimizers see them: each parameter tensor (in a model's state arena) with its
// gradient (in the workspace arena) and whether weight decay applies (not on BN parameters/biases).
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace aws {

struct ParamRef {
  std::string name;
  Tensor* param = nullptr;
  Tensor* grad = nullptr;
  bool decay = true;
};

using ParamList = std::vector<ParamRef>;

}  // namespace aws
