// Datasets by name, as the CLI's --data flag names them: "fashion-mnist", "cifar10", "cifar100".
#pragma once
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

// The names load_dataset accepts.
std::vector<std::string> dataset_names();

// Where a dataset lives when --data-dir is not given:
//   fashion-mnist → /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist),
//   cifar10 → data/cifar-10-batches-bin, cifar100 → data/cifar-100-binary (the official archives'
//   folder names, relative to the working directory).
// Throws UserError listing the valid names for an unknown one.
std::string default_data_dir(const std::string& name);

// Loads the training (train = true) or test split. An empty dir means default_data_dir(name).
// Fashion-MNIST files are {train,t10k}-{images-idx3,labels-idx1}-ubyte, with or without .gz.
Dataset load_dataset(const std::string& name, const std::string& dir, bool train);

}  // namespace aws
