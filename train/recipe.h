// Named training recipes (SPEC §6, §7, §9): every number of one way to train, so that `aws train`, the
// search and the experiments name a recipe instead of repeating a dozen flags. Flags override a
// recipe field by field (apps/cmd_train.cpp). The recipes:
//   default             `aws train`'s own quick defaults (SGD 0.1 cosine, wd 5e-4, 15 epochs, batch 128)
//   final               SPEC §9: fresh model, the SGD of §6 (Nesterov 0.9, wd 1e-4 not on BN/biases,
//                       warm-up 0.05 -> 0.2 over 1 epoch then cosine to 0.001, label smoothing 0.05,
//                       clip 3.0, BN momentum 0.5), batch 256, 200 epochs (CIFAR's count; Fashion-MNIST
//                       experiments state their own --epochs)
//   search-finetune     SPEC §7: constant LR 0.001, 10 epochs, the same SGD, smoothing and clipping;
//                       meant with --init omega_share.ckpt (a fine-tune of the search, from scratch it
//                       barely moves)
//   paper-cifar         the paper's CIFAR-10 ResNet-18 final training: 300 epochs (its Figure 1 setting),
//                       batch 256, otherwise as `final`
//   paper-wrn-cifar100  the authors' released recipe (SPEC §9): 300 epochs, batch 256, warm-up 0.1 -> 0.4
//                       over 1.5 epochs then cosine to 0, label smoothing 0.05, clip 3.0, wd 1e-4
//   faa-imagenet-resnet50  Fast AutoAugment's published ResNet-50 configuration (the AWS paper gives no
//                       ImageNet recipe): 270 epochs, batch 512, Nesterov 0.9, wd 1e-4, warm-up 0.1 -> 0.2
//                       over 3 epochs, ×0.1 at 90/180/240 epochs after the warm-up (93/183/243), no label
//                       smoothing or clipping, BN momentum 0.1. One departure: our weight decay skips BN
//                       parameters and biases (SPEC §6); FAA's SGD decays every parameter.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aws {

struct TrainRecipe {
  std::string name = "default";
  int epochs = 15;
  int64_t batch = 128;
  std::string schedule = "cosine";  // engine/optim/schedule.h syntax: constant | cosine[:FLOOR] | step:...
  double lr = 0.1, warmup_epochs = 0, warmup_from = 0;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4, label_smoothing = 0, clip = 0, bn_momentum = 0.1;

  nlohmann::json to_json() const;
};

// UserError naming --recipe for an unknown name.
TrainRecipe train_recipe(const std::string& name);
std::vector<std::string> train_recipe_names();

}  // namespace aws
