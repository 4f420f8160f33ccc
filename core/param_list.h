// Parameters as the optimizers see them: each parameter tensor (in a model's state arena) with its
// gradient (in the workspace arena) and whether weight decay applies (not on BN parameters/biases);
// and the named buffers (BN running statistics) beside them.
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

// State that is not trained by gradients (BN running statistics), named as PyTorch's state_dict names
// it ("layer1.0.conv1.bn.running_mean"): what evaluation and an export need beside the parameters.
struct BufferRef {
  std::string name;
  Tensor* t = nullptr;
};

using BufferList = std::vector<BufferRef>;

}  // namespace aws
