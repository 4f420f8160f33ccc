// Dataset registry (see registry.h): maps a name to its loader and default directory.
#include "engine/data/registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/error.h"
#include "core/strprintf.h"
#include "engine/data/cifar.h"
#include "engine/data/folder_cache.h"
#include "engine/data/idx.h"
#include "engine/data/image_folder.h"

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
  throw UserError("--data: unknown dataset '" + name + "' (valid: " + join(dataset_names(), ", ") + ")");
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A folder decoded, or read from the cache; skipped files and cache trouble go to stderr. A streamed
// folder is listed only.
Dataset load_folder(const std::string& spec_text, const FolderSpec& spec, const std::string& root) {
  if (spec.stream) return streamed_folder_dataset(root, spec.image_size, spec_text);
  const FolderListing listing = scan_image_folder(root);
  const FolderLoadOptions opt{spec.image_size, spec.skip_bad};
  const std::string fp = folder_fingerprint(listing, opt);
  const std::string cache_dir = default_folder_cache_dir();
  const std::string cache = cache_dir.empty() ? "" : folder_cache_path(cache_dir, fp);
  std::string note;
  std::optional<FolderLoad> load = cache.empty() ? std::nullopt : folder_cache_read(cache, fp, &note);
  if (!note.empty()) std::fprintf(stderr, "aws: %s\n", note.c_str());
  if (!load) {
    load = load_image_folder(listing, opt);
    if (!cache.empty()) note = folder_cache_write(cache, fp, *load);
    if (!note.empty()) std::fprintf(stderr, "aws: %s\n", note.c_str());
  }
  if (!load->skipped.empty()) {
    std::fprintf(stderr, "aws: %s: skipped %zu bad file(s):\n", root.c_str(), load->skipped.size());
    for (const std::string& s : load->skipped) std::fprintf(stderr, "  %s\n", s.c_str());
  }
  load->data.name = spec_text;
  return std::move(load->data);
}

}  // namespace

std::vector<std::string> dataset_names() { return {"fashion-mnist", "cifar10", "cifar100", "folder:DIR"}; }

bool is_folder_spec(const std::string& name) {
  const size_t colon = name.find(':');
  return colon != std::string::npos && name.compare(0, 6, "folder") == 0 && (colon == 6 || name[6] == ',');
}

FolderSpec parse_folder_spec(const std::string& name) {
  if (!is_folder_spec(name)) throw UserError("--data " + name + ": not of the form folder[,OPTION...]:DIR");
  const size_t colon = name.find(':');
  FolderSpec s;
  s.root = name.substr(colon + 1);
  while (s.root.size() > 1 && s.root.back() == '/') s.root.pop_back();
  if (s.root.empty()) throw UserError("--data " + name + ": no folder after 'folder:'");
  size_t at = 6;
  while (at < colon) {
    const size_t end = std::min(name.find(',', at + 1), colon);
    const std::string opt = name.substr(at + 1, end - at - 1);
    if (opt == "skip-bad") {
      s.skip_bad = true;
    } else if (opt == "stream") {
      s.stream = true;
    } else if (opt.rfind("size=", 0) == 0) {
      const std::string v = opt.substr(5);
      char* e = nullptr;
      const long n = std::strtol(v.c_str(), &e, 10);
      if (v.empty() || *e != '\0' || n < 1 || n > 4096)
        throw UserError("--data " + name + ": size=" + v + " must be a whole number of pixels in [1, 4096]");
      s.image_size = int(n);
    } else {
      throw UserError("--data " + name + ": unknown folder option '" + opt + "' (valid: size=S, skip-bad, stream)");
    }
    at = end;
  }
  if (s.stream && s.skip_bad) throw UserError("--data " + name + ": skip-bad does not go with stream");
  if (s.stream && s.image_size == 0) s.image_size = 224;
  return s;
}

std::string default_data_dir(const std::string& name) {
  if (is_folder_spec(name)) return parse_folder_spec(name).root;
  if (name == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (name == "cifar10") return "data/cifar-10-batches-bin";
  if (name == "cifar100") return "data/cifar-100-binary";
  unknown(name);
}

Dataset load_dataset(const std::string& name, const std::string& dir_in, bool train) {
  if (is_folder_spec(name)) {
    const FolderSpec spec = parse_folder_spec(name);
    if (!is_dir(spec.root)) throw UserError("--data " + name + ": " + spec.root + ": no such folder");
    if (!is_dir(spec.root + "/train")) {
      if (train) return load_folder(name + "/train", spec, spec.root);
      throw UserError("--data " + name + ": no test set (" + spec.root + " has no train/ and val/ folders)");
    }
    if (train) return load_folder(name + "/train", spec, spec.root + "/train");
    if (!is_dir(spec.root + "/val"))
      throw UserError("--data " + name + ": " + spec.root + "/val: no such folder (the test set)");
    // The labels index train/'s classes: val/ must list the same ones.
    if (image_folder_classes(spec.root + "/train") != image_folder_classes(spec.root + "/val"))
      throw UserError("--data " + name + ": " + spec.root + "/val has other class folders than " + spec.root +
                      "/train");
    return load_folder(name + "/test", spec, spec.root + "/val");
  }
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
