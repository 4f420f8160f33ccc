// A whole Wide-ResNet training step (pre-activation blocks, 1×1 conv + BN shortcuts on the
// pre-activated input, final BN-ReLU) against PyTorch's twin in bench/torch_models.py.
#include "tests/oracle/model_step.h"

using namespace aws;
using namespace aws::test;

TEST_CASE("wrn-16-2 3x32x32: one train step matches PyTorch") {
  ModelSpec spec;
  spec.name = "wrn-16-2";
  spec.h = spec.w = 32;
  spec.c = 3;
  spec.bn_momentum = 0.1f;
  check_train_step(spec, 8, test_seed(162), StepTolerance{});
}
