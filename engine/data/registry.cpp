// Dataset registry (see registry.h): maps a name to its loader and default directory.
#include "engine/data/registry.h"

#include <sys/stat.h>

#include "core/error.h"
#include "engine/data/cifar.h"
#include "engine/data/idx.h"

namespace aws {

namespace {

bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// Prefers "<base>.gz", falls back to the uncompressed "<base>"; the .gz name is reported if neither.
std::string idx_path(const std::string& dir, const std::string& base) {
  std::string gz = dir + "/" + base + ".gz";
  if (file_exists(gz)) return gz;
  std::string raw = dir + "/" + base;
  return file_exists(raw) ? raw : gz;
}

[[noreturn]] void unknown(const std::string& name) {
  std::string list;
  for (const std::string& n : dataset_names()) list += (list.empty() ? "" : ", ") + n;
  throw UserError("--data: unknown dataset '" + name + "' (valid: " + list + ")");
}

}  // namespace

std::vector<std::string> dataset_names() { return {"fashion-mnist", "cifar10", "cifar100"}; }

std::string default_data_dir(const std::string& name) {
  if (name == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (name == "cifar10") return "data/cifar-10-batches-bin";
  if (name == "cifar100") return "data/cifar-100-binary";
  unknown(name);
}

Dataset load_dataset(const std::string& name, const std::string& dir_in, bool train) {
  const std::string dir = dir_in.empty() ? default_data_dir(name) : dir_in;
  if (name == "fashion-mnist") {
    const std::string prefix = train ? "train" : "t10k";
    Dataset d = idx_load(idx_path(dir, prefix + "-images-idx3-ubyte"),
                         idx_path(dir, prefix + "-labels-idx1-ubyte"), 10, 28, 28);
    d.name = std::string("fashion-mnist/") + (train ? "train" : "test");
    return d;
  }
  if (name == "cifar10") return cifar_load(CifarKind::cifar10, dir, train);
  if (name == "cifar100") return cifar_load(CifarKind::cifar100, dir, train);
  unknown(name);
}

}  // namespace aws
