// A whole ResNet training step (forward, label-smoothed softmax-CE, backward, clipping, SGD Nesterov
// with decay excluded on BN/biases, BN running statistics) against PyTorch from the same weights:
// ResNet-20 on 1×28×28 (Fashion-MNIST shape) and ResNet-18 on 3×32×32 (CIFAR shape).
#include "tests/oracle/model_step.h"

using namespace aws;
using namespace aws::test;

TEST_CASE("resnet20 1x28x28: one train step matches PyTorch") {
  ModelSpec spec;
  spec.name = "resnet20";
  spec.h = spec.w = 28;
  spec.c = 1;
  spec.bn_momentum = 0.1f;
  check_train_step(spec, 8, test_seed(20), StepTolerance{});
}

TEST_CASE("resnet18 3x32x32: one train step matches PyTorch") {
  ModelSpec spec;
  spec.name = "resnet18";
  spec.h = spec.w = 32;
  spec.c = 3;
  spec.bn_momentum = 0.1f;
  check_train_step(spec, 4, test_seed(18), StepTolerance{});
}
