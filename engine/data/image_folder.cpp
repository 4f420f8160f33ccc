// ImageFolder's scan and the parallel decode into a resident dataset (see image_folder.h).
#include "engine/data/image_folder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/strprintf.h"
#include "engine/data/folder_cache.h"
#include "engine/data/image_resize.h"
#include "engine/io/image_io.h"

namespace aws {

const std::vector<std::string>& image_folder_extensions() {
  static const std::vector<std::string> ext{".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"};
  return ext;
}

namespace {

bool has_image_extension(const std::string& name) {
  std::string low = name;
  std::transform(low.begin(), low.end(), low.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  for (const std::string& e : image_folder_extensions())
    if (low.size() >= e.size() && low.compare(low.size() - e.size(), e.size(), e) == 0) return true;
  return false;
}

// The names in a folder, split as os.walk splits them: entries that are folders (links followed)
// and everything else. UserError naming the folder when it cannot be read.
void list_folder(const std::string& dir, std::vector<std::string>* dirs, std::vector<std::string>* files) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw UserError(dir + ": cannot read the folder");
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    const bool is_dir = ::stat((dir + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    (is_dir ? dirs : files)->push_back(name);
  }
  ::closedir(d);
}

// Every folder under `top` (itself included), following links, each real folder once (a link cycle
// ends there); returned sorted by path, as sorted(os.walk(top, followlinks=True)) orders them.
std::vector<std::pair<std::string, std::vector<std::string>>> walk(const std::string& top) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<std::string> todo{top};
  while (!todo.empty()) {
    std::string dir = todo.back();
    todo.pop_back();
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !seen.insert({st.st_dev, st.st_ino}).second) continue;
    std::vector<std::string> dirs, files;
    list_folder(dir, &dirs, &files);
    for (const std::string& d : dirs) todo.push_back(dir + "/" + d);
    std::sort(files.begin(), files.end());
    out.emplace_back(dir, std::move(files));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// The one-line reason a file is refused: its own message when it names the file, else prefixed.
std::string reason(const std::string& path, const std::exception& e) {
  const std::string what = e.what();
  return what.rfind(path, 0) == 0 ? what : path + ": " + what;
}

}  // namespace

std::vector<std::string> image_folder_classes(const std::string& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw UserError(root + ": no such folder");
  std::vector<std::string> classes, files;
  list_folder(root, &classes, &files);
  std::sort(classes.begin(), classes.end());
  if (classes.empty()) throw UserError(root + ": no class folders (expected " + root + "/<class>/<images>)");
  return classes;
}

FolderListing scan_image_folder(const std::string& root) {
  FolderListing l;
  l.root = root;
  l.classes = image_folder_classes(root);
  std::vector<std::string> empty;
  for (size_t k = 0; k < l.classes.size(); ++k) {
    const size_t before = l.files.size();
    for (const auto& [dir, names] : walk(root + "/" + l.classes[k]))
      for (const std::string& n : names)
        if (has_image_extension(n)) {
          l.files.push_back(dir + "/" + n);
          l.labels.push_back(int32_t(k));
        }
    if (l.files.size() == before) empty.push_back(l.classes[k]);
  }
  if (!empty.empty()) {
    throw UserError(root + ": no image file in the class folder(s) " + join(empty, ", ") + " (extensions: " +
                    join(image_folder_extensions(), " ") + ")");
  }
  return l;
}

Dataset streamed_folder_dataset(const std::string& root, int size, const std::string& name) {
  FolderListing l = scan_image_folder(root);
  Dataset d;
  d.name = name;
  d.n = int64_t(l.files.size());
  d.h = d.w = size;
  d.c = 3;
  d.num_classes = int(l.classes.size());
  d.stream_fingerprint = folder_fingerprint(l, FolderLoadOptions{size, false});
  d.labels = std::move(l.labels);
  d.stream_files = std::move(l.files);
  return d;
}

FolderLoad load_image_folder(const FolderListing& listing, const FolderLoadOptions& opt) {
  const int64_t n = int64_t(listing.files.size());
  // Pass 1, headers only: which files decode at all, the channel rule and the size rule.
  std::vector<ImageHeader> hd(static_cast<size_t>(n));
  std::vector<std::string> bad(static_cast<size_t>(n));
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < n; ++i) {
    const std::string& path = listing.files[size_t(i)];
    try {
      std::vector<uint8_t> bytes = read_image_file(path);
      hd[size_t(i)] = read_image_header(bytes.data(), bytes.size(), path);
    } catch (const std::exception& e) {
      bad[size_t(i)] = reason(path, e);
    }
  }
  FolderLoad out;
  const auto first_bad = [&] {
    return std::find_if(bad.begin(), bad.end(), [](const std::string& b) { return !b.empty(); });
  };
  // The channel rule and the size rule, from the headers (in listing order, so that a message names
  // the first image that differs).
  bool any_color = false;
  int64_t ref = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (!bad[size_t(i)].empty()) continue;
    const ImageHeader& h = hd[size_t(i)];
    any_color |= h.c == 3;
    if (ref < 0) ref = i;
    const ImageHeader& r = hd[size_t(ref)];
    if (opt.image_size == 0 && (h.w != r.w || h.h != r.h))
      throw UserError(listing.root + ": images differ in size (" + listing.files[size_t(ref)] + " is " +
                      std::to_string(r.w) + "x" + std::to_string(r.h) + ", " + listing.files[size_t(i)] + " is " +
                      std::to_string(h.w) + "x" + std::to_string(h.h) + "): give the folder a size");
  }
  if (ref < 0) throw UserError(first_bad() == bad.end() ? listing.root + ": no image" : *first_bad());
  Dataset& d = out.data;
  d.c = any_color ? 3 : 1;
  d.h = opt.image_size > 0 ? opt.image_size : hd[size_t(ref)].h;
  d.w = opt.image_size > 0 ? opt.image_size : hd[size_t(ref)].w;
  d.num_classes = int(listing.classes.size());
  // Pass 2, pixels: decoded straight into their slot (made RGB where the folder is, resized).
  d.images.resize(size_t(n) * d.image_bytes());
#pragma omp parallel for schedule(dynamic, 4)
  for (int64_t i = 0; i < n; ++i) {
    if (!bad[size_t(i)].empty()) continue;
    const std::string& path = listing.files[size_t(i)];
    try {
      std::vector<uint8_t> bytes = read_image_file(path);
      Image img = decode_image(bytes.data(), bytes.size(), path);
      if (d.c == 3) img = to_rgb(std::move(img));
      if (opt.image_size > 0) img = resize_center_crop(img, opt.image_size, opt.image_size);
      if (img.pixels.size() != d.image_bytes()) throw UserError(path + ": decoded size differs from its header");
      std::copy(img.pixels.begin(), img.pixels.end(), d.images.begin() + ptrdiff_t(size_t(i) * d.image_bytes()));
    } catch (const std::exception& e) {
      bad[size_t(i)] = reason(path, e);
    }
  }
  int64_t nbad = 0;
  for (const std::string& b : bad) nbad += !b.empty();
  if (nbad > 0 && !opt.skip_bad)
    throw UserError(*first_bad() + (nbad > 1 ? " (and " + std::to_string(nbad - 1) + " more bad files)" : "") +
                    "; skip-bad leaves them out");
  if (nbad == n) throw UserError(*first_bad());
  // Bad files out: the good images move down in order.
  d.labels.reserve(size_t(n - nbad));
  for (int64_t i = 0; i < n; ++i) {
    if (!bad[size_t(i)].empty()) {
      out.skipped.push_back(bad[size_t(i)]);
      continue;
    }
    const size_t to = d.labels.size() * d.image_bytes(), from = size_t(i) * d.image_bytes();
    if (to != from) std::copy_n(d.images.begin() + ptrdiff_t(from), d.image_bytes(), d.images.begin() + ptrdiff_t(to));
    d.labels.push_back(listing.labels[size_t(i)]);
  }
  d.n = n - nbad;
  d.images.resize(size_t(d.n) * d.image_bytes());
  d.images.shrink_to_fit();
  return out;
}

}  // namespace aws
