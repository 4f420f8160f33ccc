// A whole ResNet training step (forward, label-smoothed softmax-CE, backward, clipping, SGD Nesterov
// with decay excluded on BN/biases, BN running statistics) against PyTorch from the same weights:
// ResNet-20 on 1×28×28 (Fashion-MNIST shape), ResNet-18 on 3×32×32 (CIFAR shape) and ResNet-50
// (ImageNet stem, max-pool, bottlenecks) on 3×64×64. ResNet-50's
// float32 step is ill-conditioned there (BN over 2×2×2 values in layer4; PyTorch's own float32
// gradients are ~1-2% from its float64 ones), so its tensors are held to 3× PyTorch's float32 error,
// the same rule for every tensor. (Seed 1 has a ReLU tie in layer4.0: see model_step.h.)
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

TEST_CASE("resnet50 3x64x64: one train step matches PyTorch") {
  ModelSpec spec;
  spec.name = "resnet50";
  spec.h = spec.w = 64;
  spec.c = 3;
  spec.bn_momentum = 0.1f;
  check_train_step(spec, 2, test_seed(50), StepTolerance{.float32_ceiling = 3});
}
