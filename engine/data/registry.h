// Datasets by name, as the CLI's --data flag names them: "fashion-mnist", "cifar10", "cifar100", and
// class folders of images (engine/data/image_folder.h) as "folder[,OPTION...]:DIR", options:
//   size=S     every image Resize(S) + CenterCrop(S) as torchvision does (default: the images' own
//              size, which must then be one size);
//   skip-bad   leave out files that do not decode, naming them on stderr (default: an error);
//   stream     decode every batch from the files (ImageNet-size folders; train/streamed_folder.h):
//              RandomResizedCrop + flip to S×S for training, Resize(S·256/224) + CenterCrop(S) for
//              evaluation, RGB; S = size (default 224). No decode cache, no skip-bad.
// DIR/train and DIR/val, when DIR/train exists, are the training and test sets (ImageNet's layout;
// val/ must have train/'s classes); otherwise DIR is the training set and there is no test set.
// Decoded folders are cached (engine/data/folder_cache.h) under default_folder_cache_dir().
#pragma once
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

// The names load_dataset accepts (the folder form as "folder:DIR").
std::vector<std::string> dataset_names();

// A parsed "folder[,OPTION...]:DIR"; is_folder_spec says whether a --data value has that form.
struct FolderSpec {
  std::string root;
  int image_size = 0;
  bool skip_bad = false;
  bool stream = false;
};
bool is_folder_spec(const std::string& name);
FolderSpec parse_folder_spec(const std::string& name);  // UserError naming --data

// Where a dataset lives when --data-dir is not given:
//   fashion-mnist → /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist),
//   cifar10 → data/cifar-10-batches-bin, cifar100 → data/cifar-100-binary (the official archives'
//   folder names, relative to the working directory).
// Throws UserError listing the valid names for an unknown one.
std::string default_data_dir(const std::string& name);

// Loads the training (train = true) or test split. An empty dir means default_data_dir(name); a
// folder ignores dir (its spec names it).
// Fashion-MNIST files are {train,t10k}-{images-idx3,labels-idx1}-ubyte, with or without .gz.
Dataset load_dataset(const std::string& name, const std::string& dir, bool train);

}  // namespace aws
