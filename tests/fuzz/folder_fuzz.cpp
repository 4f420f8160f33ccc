// libFuzzer target for the image-folder scanner and loader (engine/data/image_folder.cpp): the bytes
// describe a small tree that is built in a fresh temporary folder (folders, files with fuzzed
// contents and image-like names, symbolic links to siblings or to "." and "..", which make cycles,
// FIFOs), then scanned as ImageFolder scans and loaded at size 8 with skip-bad. Bad trees must end in
// a UserError; a load must keep its invariants (labels in range, one row per good file, every
// listed file either decoded or named as skipped). Nothing is created outside the temporary folder.
//   op byte % 6: 0 folder (enter), 1 leave, 2 file, 3 link, 4 FIFO, 5 file with an image extension
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/data/image_folder.h"

namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  bool more() const { return n > 0; }
  uint8_t byte() {
    if (!n) return 0;
    --n;
    return *p++;
  }
};

// A name of 1..8 characters from a safe alphabet (never "." or "..", never a slash).
std::string name(Reader& r) {
  static const char kAlpha[] = "abcXYZ01_-.";
  const int len = 1 + r.byte() % 8;
  std::string s;
  for (int i = 0; i < len; ++i) s += kAlpha[r.byte() % (sizeof kAlpha - 1)];
  if (s == "." || s == "..") s = "d" + s;
  return s;
}

int remove_entry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  char tmpl[] = "/tmp/aws_folder_fuzz.XXXXXX";
  if (!::mkdtemp(tmpl)) std::abort();
  const std::string root = std::string(tmpl) + "/root";
  ::mkdir(root.c_str(), 0755);
  Reader r{data, size};
  std::vector<std::string> stack{root};
  static const char* kExt[] = {".jpg", ".JPEG", ".png", ".bmp", ".webp", ".PnG"};
  for (int ops = 0; r.more() && ops < 64; ++ops) {
    const std::string here = stack.back();
    const int op = r.byte() % 6;
    switch (op) {
      case 0: {
        const std::string d = here + "/" + name(r);
        if (stack.size() < 6 && ::mkdir(d.c_str(), 0755) == 0) stack.push_back(d);
        break;
      }
      case 1:
        if (stack.size() > 1) stack.pop_back();
        break;
      case 2:
      case 5: {
        std::string f = here + "/" + name(r);
        if (op == 5) f += kExt[r.byte() % 6];
        const size_t len = std::min<size_t>(r.byte() * 4u, r.n);
        // A new file only: opening an existing FIFO (or a link to one) for writing would block here.
        const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
        if (fd >= 0) {
          (void)!::write(fd, r.p, len);
          ::close(fd);
        }
        r.p += len, r.n -= len;
        break;
      }
      case 3: {
        const uint8_t k = r.byte() % 3;
        const std::string target = k == 0 ? "." : k == 1 ? ".." : name(r);
        (void)::symlink(target.c_str(), (here + "/" + name(r) + kExt[r.byte() % 6]).c_str());
        break;
      }
      case 4:
        (void)::mkfifo((here + "/" + name(r) + ".jpg").c_str(), 0644);
        break;
    }
  }
  try {
    const aws::FolderListing l = aws::scan_image_folder(root);
    if (l.files.size() != l.labels.size()) std::abort();
    for (int32_t lab : l.labels)
      if (lab < 0 || lab >= int32_t(l.classes.size())) std::abort();
    const aws::FolderLoad ld = aws::load_image_folder(l, {8, true});
    const aws::Dataset& d = ld.data;
    if (d.n + int64_t(ld.skipped.size()) != int64_t(l.files.size()) || d.h != 8 || d.w != 8 ||
        d.images.size() != size_t(d.n) * d.image_bytes() || d.labels.size() != size_t(d.n))
      std::abort();
  } catch (const aws::UserError&) {
  }
  ::nftw(tmpl, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
