// The decoded-folder cache (see folder_cache.h).
#include "engine/data/folder_cache.h"

#include <sys/stat.h>
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "engine/io/checkpoint.h"

namespace aws {

namespace {

constexpr const char* kKind = "aws-folder-cache";
// Bump when decoding or resizing changes what a file decodes to.
constexpr int kCacheFormat = 1;

void hash_string(XXH3_state_t* st, const std::string& s) {
  const uint64_t n = s.size();
  XXH3_64bits_update(st, &n, sizeof n);
  XXH3_64bits_update(st, s.data(), s.size());
}

}  // namespace

std::string folder_fingerprint(const FolderListing& l, const FolderLoadOptions& opt) {
  XXH3_state_t* st = XXH3_createState();
  AWS_ASSERT(st != nullptr, "XXH3_createState");
  XXH3_64bits_reset(st);
  const int64_t head[3] = {kCacheFormat, opt.image_size, opt.skip_bad ? 1 : 0};
  XXH3_64bits_update(st, head, sizeof head);
  for (const std::string& c : l.classes) hash_string(st, c);
  for (size_t i = 0; i < l.files.size(); ++i) {
    struct stat s;
    if (::stat(l.files[i].c_str(), &s) != 0) {
      XXH3_freeState(st);
      throw UserError(l.files[i] + ": cannot open (no such file, or a broken link)");
    }
    hash_string(st, l.files[i].substr(l.root.size()));
    const int64_t meta[4] = {int64_t(s.st_size), int64_t(s.st_mtim.tv_sec), int64_t(s.st_mtim.tv_nsec), l.labels[i]};
    XXH3_64bits_update(st, meta, sizeof meta);
  }
  const unsigned long long h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

std::string default_folder_cache_dir() {
  if (const char* d = std::getenv("AWS_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/aws";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/aws";
  return "";
}

std::string folder_cache_path(const std::string& dir, const std::string& fingerprint) {
  return dir + "/folder-" + fingerprint + ".awsc";
}

std::optional<FolderLoad> folder_cache_read(const std::string& path, const std::string& fingerprint,
                                            std::string* note) {
  struct stat s;
  if (::stat(path.c_str(), &s) != 0) return std::nullopt;
  try {
    const CheckpointData cd = checkpoint_read(path);
    if (cd.kind != kKind) throw UserError(path + ": kind '" + cd.kind + "', not " + kKind);
    const nlohmann::json meta = nlohmann::json::parse(cd.meta_json);
    if (meta.at("fingerprint").get<std::string>() != fingerprint) throw UserError(path + ": another fingerprint");
    FolderLoad out;
    Dataset& d = out.data;
    d.num_classes = meta.at("num_classes").get<int>();
    out.skipped = meta.at("skipped").get<std::vector<std::string>>();
    const Blob& im = cd.blob("images", path);
    const Blob& lb = cd.blob("labels", path);
    if (im.dtype != DType::u8 || im.shape.size() != 4 || lb.dtype != DType::i32 || lb.shape.size() != 1 ||
        lb.shape[0] != im.shape[0] || im.shape[0] < 1 || (im.shape[3] != 1 && im.shape[3] != 3) || d.num_classes < 1)
      throw UserError(path + ": blob shapes do not describe a dataset");
    d.n = im.shape[0];
    d.h = int(im.shape[1]), d.w = int(im.shape[2]), d.c = int(im.shape[3]);
    d.images = im.bytes;
    d.labels.resize(size_t(d.n));
    std::copy_n(reinterpret_cast<const int32_t*>(lb.bytes.data()), d.n, d.labels.begin());
    for (int32_t l : d.labels)
      if (l < 0 || l >= d.num_classes) throw UserError(path + ": a label outside [0, num_classes)");
    return out;
  } catch (const std::exception& e) {
    if (note) *note = std::string("ignoring the folder cache ") + e.what();
    return std::nullopt;
  }
}

std::string folder_cache_write(const std::string& path, const std::string& fingerprint, const FolderLoad& load) {
  const Dataset& d = load.data;
  try {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    CheckpointData cd;
    cd.kind = kKind;
    cd.meta_json =
        nlohmann::json{{"fingerprint", fingerprint}, {"num_classes", d.num_classes}, {"skipped", load.skipped}}.dump();
    cd.blobs.push_back(Blob::of("images", DType::u8, {d.n, d.h, d.w, d.c}, d.images.data()));
    cd.blobs.push_back(Blob::of("labels", DType::i32, {d.n}, d.labels.data()));
    checkpoint_write(path, cd);
    return "";
  } catch (const std::exception& e) {
    return std::string("the folder cache was not written: ") + e.what();
  }
}

}  // namespace aws
