// The named training recipes of train/recipe.h.
#include "train/recipe.h"

#include "core/error.h"
#include "core/strprintf.h"

namespace aws {

std::vector<std::string> train_recipe_names() {
  return {"default", "final", "search-finetune", "paper-cifar", "paper-wrn-cifar100", "faa-imagenet-resnet50"};
}

TrainRecipe train_recipe(const std::string& name) {
  TrainRecipe r;  // "default"
  r.name = name;
  if (name == "default") return r;
  // SPEC §6's optimizer, shared by final, search-finetune and paper-cifar.
  r.batch = 256;
  r.momentum = 0.9;
  r.nesterov = true;
  r.weight_decay = 1e-4;
  r.label_smoothing = 0.05;
  r.clip = 3.0;
  r.bn_momentum = 0.5;
  r.schedule = "cosine:0.001";
  r.lr = 0.2;
  r.warmup_epochs = 1;
  r.warmup_from = 0.05;
  if (name == "final") {
    r.epochs = 200;
    return r;
  }
  if (name == "paper-cifar") {
    r.epochs = 300;
    return r;
  }
  if (name == "search-finetune") {
    r.epochs = 10;
    r.schedule = "constant";
    r.lr = 0.001;
    r.warmup_epochs = 0;
    r.warmup_from = 0;
    return r;
  }
  if (name == "paper-wrn-cifar100") {
    r.epochs = 300;
    r.schedule = "cosine:0";
    r.lr = 0.4;
    r.warmup_epochs = 1.5;
    r.warmup_from = 0.1;
    return r;
  }
  if (name == "faa-imagenet-resnet50") {
    // Fast AutoAugment's confs/resnet50_b512.yaml with its "resnet" schedule, at one process: batch
    // 512, LR 0.1 rising linearly to 0.2 over 3 epochs (its GradualWarmupScheduler, multiplier 2), then
    // MultiStepLR ×0.1 at 90, 180, 240, counted after the warm-up (the warm-up scheduler steps it at
    // epoch − 3), so at epochs 93, 183, 243 of 270. Milestones are fractions of the post-warm-up span.
    r.epochs = 270;
    r.batch = 512;
    r.lr = 0.2;
    r.warmup_from = 0.1;
    r.warmup_epochs = 3;
    r.schedule = strprintf("step:%.17g,%.17g,%.17g:0.1", 90 / 267.0, 180 / 267.0, 240 / 267.0);
    r.label_smoothing = 0;
    r.clip = 0;
    r.bn_momentum = 0.1;  // PyTorch's default, which FAA keeps
    return r;
  }
  throw UserError("--recipe " + name + ": unknown recipe (" + join(train_recipe_names(), " | ") + ")");
}

nlohmann::json TrainRecipe::to_json() const {
  return {{"name", name},           {"epochs", epochs},         {"batch", batch},
          {"schedule", schedule},   {"lr", lr},                 {"warmup_epochs", warmup_epochs},
          {"warmup_from", warmup_from}, {"momentum", momentum}, {"nesterov", nesterov},
          {"weight_decay", weight_decay}, {"label_smoothing", label_smoothing}, {"clip", clip},
          {"bn_momentum", bn_momentum}};
}

}  // namespace aws
