// Image folders against Pillow 9.4 and torchvision 0.14's ImageFolder, on folders Pillow writes here:
// odd sizes, 4:2:0 and 4:4:4 and progressive JPEGs, grayscale and CMYK JPEGs, a PNG named .JPEG,
// RGBA / LA / palette-with-transparency / 1-bit PNGs, nested sub-folders, upper-case extensions, a
// text file; a grayscale-only folder; a folder with a truncated and a garbage ".jpg". Checked: the
// file list and labels equal ImageFolder's; every file decodes to Pillow's pixels (convert("L") for a
// grayscale file, "RGB" otherwise) at full size and at the DCT scales of Pillow's draft(); the whole
// folder at size S equals ImageFolder with Resize(S) + CenterCrop(S), stacked; the bad-file rules;
// extreme aspect ratios (1×3000, 3000×2) at size 16; the on-disk cache (a second load from it, a
// corrupted entry rebuilt).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/data/folder_cache.h"
#include "engine/data/image_folder.h"
#include "engine/data/registry.h"
#include "engine/io/image_io.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/pillow_decode.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using namespace aws::test;

namespace {

// Writes the folders under ROOT and returns what Pillow and torchvision make of them.
const char* kMakeFolders = R"PY(
import io, os
import numpy as np
from PIL import Image
import torchvision.transforms as T
from torchvision.datasets import ImageFolder
rng = np.random.RandomState(7)

def photo(w, h):
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) * 7 % 256], -1)
    return np.clip(base + rng.randint(-30, 31, base.shape), 0, 255).astype(np.uint8)
def rgb(w, h): return Image.fromarray(photo(w, h), 'RGB')
def gray(w, h): return Image.fromarray(photo(w, h)[..., 1], 'L')
def put(rel, im, fmt, **kw):
    p = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    im.save(p, fmt, **kw)

M = 'mixed/train/'
put(M + 'b_cat/x1.jpg', rgb(37, 23), 'JPEG', quality=90)
put(M + 'b_cat/x2.JPG', rgb(16, 40), 'JPEG', quality=70, subsampling=0)
put(M + 'b_cat/sub/y.jpeg', gray(29, 31), 'JPEG', quality=85)
put(M + 'b_cat/sub-x/z.jpg', rgb(33, 33).convert('CMYK'), 'JPEG', quality=90)
put(M + 'b_cat/sub/deeper/w.png', rgb(20, 18), 'PNG')
put(M + 'a_dog/p.jpg', rgb(45, 30), 'JPEG', quality=80, progressive=True)
put(M + 'a_dog/q.JPEG', rgb(24, 26), 'PNG')
a = rgb(19, 25).convert('RGBA'); a.putalpha(gray(19, 25)); put(M + 'a_dog/r.png', a, 'PNG')
put(M + 'a_dog/s.png', rgb(22, 22).convert('P', palette=Image.ADAPTIVE, colors=16), 'PNG', transparency=3)
la = gray(21, 17).convert('LA'); la.putalpha(gray(21, 17).rotate(90)); put(M + 'a_dog/t.png', la, 'PNG')
put(M + 'a_dog/u.png', gray(18, 19).convert('1'), 'PNG')
open(os.path.join(ROOT, M + 'a_dog/notes.txt'), 'w').write('not an image')
put(M + 'C_owl/v.png', gray(40, 17), 'PNG')
put(M + 'C_owl/w.jpg', rgb(64, 48), 'JPEG', quality=95)
put(M + 'C_owl/x16.png', Image.fromarray(photo(23, 19)[..., 0].astype(np.uint16) * 3, 'I;16'), 'PNG')  # 16-bit gray
V = 'mixed/val/'
put(V + 'a_dog/1.jpg', rgb(30, 30), 'JPEG')
put(V + 'b_cat/2.png', rgb(26, 31), 'PNG')
put(V + 'C_owl/3.jpg', gray(17, 20), 'JPEG')
G = 'gray/'
put(G + 'k0/a.jpg', gray(20, 20), 'JPEG')
put(G + 'k0/b.png', gray(20, 20).convert('LA'), 'PNG')
put(G + 'k1/c.png', gray(20, 20).convert('1'), 'PNG')
put(G + 'k1/d.png', gray(20, 20), 'PNG')
put('thin/k/a.png', rgb(1, 3000), 'PNG')
put('thin/k/b.png', rgb(3000, 2), 'PNG')
B = 'bad/'
put(B + 'a/ok.png', rgb(16, 16), 'PNG')
buf = io.BytesIO(); rgb(16, 16).save(buf, 'JPEG'); data = buf.getvalue()
open(os.path.join(ROOT, B + 'a/trunc.jpg'), 'wb').write(data[:len(data) * 3 // 5])  # inside the header
open(os.path.join(ROOT, B + 'a/trunc2.jpg'), 'wb').write(data[:len(data) - 40])  # inside the scan
open(os.path.join(ROOT, B + 'a/garbage.jpg'), 'wb').write(bytes(rng.randint(0, 256, 300).astype(np.uint8)))
put(B + 'b/ok2.png', rgb(16, 16), 'PNG')

tr = ImageFolder(os.path.join(ROOT, 'mixed/train'))
O['files'] = strings([os.path.relpath(p, ROOT) for p, _ in tr.samples])
O['labels'] = np.array([t for _, t in tr.samples], np.int32)
O['classes'] = strings(tr.classes)
for i, (p, _) in enumerate(tr.samples):
    record(i, p)
for S in (16, 24):
    f = ImageFolder(os.path.join(ROOT, 'mixed/train'), transform=T.Compose([T.Resize(S), T.CenterCrop(S)]))
    O['ds%d' % S] = np.stack([np.asarray(f[i][0]) for i in range(len(f))])
v = ImageFolder(os.path.join(ROOT, 'mixed/val'), transform=T.Compose([T.Resize(16), T.CenterCrop(16)]))
O['val16'] = np.stack([np.asarray(v[i][0]) for i in range(len(v))])
O['val_labels'] = np.array([t for _, t in v.samples], np.int32)
t = ImageFolder(os.path.join(ROOT, 'thin'), transform=T.Compose([T.Resize(16), T.CenterCrop(16)]))
O['thin16'] = np.stack([np.asarray(t[i][0]) for i in range(len(t))])
g = ImageFolder(os.path.join(ROOT, 'gray'))
O['gray'] = np.stack([pillow(p) for p, _ in g.samples])
O['gray_labels'] = np.array([t for _, t in g.samples], np.int32)
)PY";

std::vector<uint8_t> array_bytes(const Array& a) { return a.bytes; }

struct Folders {
  std::string root;
  Arrays py;
};

const Folders& folders() {
  static const TempDir dir("aws_image_folder_test");
  static Folders f = [] {
    Folders x;
    x.root = dir.path;
    x.py = run_python("ROOT = '" + x.root + "'\n" + kPillowDecodePy + kMakeFolders, {});
    return x;
  }();
  return f;
}

}  // namespace

TEST_CASE("the file list and labels are torchvision ImageFolder's") {
  const Folders& f = folders();
  const FolderListing l = scan_image_folder(f.root + "/mixed/train");
  std::vector<std::string> rel;
  for (const std::string& p : l.files) rel.push_back(p.substr(f.root.size() + 1));
  CHECK(rel == lines(f.py.at("files")));
  CHECK(l.classes == lines(f.py.at("classes")));
  const Array& lab = f.py.at("labels");
  REQUIRE(int64_t(l.labels.size()) == lab.numel());
  CHECK(std::equal(l.labels.begin(), l.labels.end(), lab.as<int32_t>()));
}

TEST_CASE("every file decodes to Pillow's pixels, at full size and at draft scales") {
  const Folders& f = folders();
  check_decodes_like_pillow(scan_image_folder(f.root + "/mixed/train").files, f.py);
}

TEST_CASE("a folder at size S equals ImageFolder with Resize(S) + CenterCrop(S)") {
  const Folders& f = folders();
  const FolderListing l = scan_image_folder(f.root + "/mixed/train");
  for (int S : {16, 24}) {
    INFO("S ", S);
    const FolderLoad ld = load_image_folder(l, {S, false});
    const Array& ref = f.py.at("ds" + std::to_string(S));
    CHECK(ld.data.n == ref.shape[0]);
    CHECK(ld.data.h == S);
    CHECK(ld.data.c == 3);  // colour images make the whole folder RGB
    CHECK(ld.data.images == array_bytes(ref));
    CHECK(ld.data.labels == std::vector<int32_t>(l.labels));
    CHECK(ld.skipped.empty());
  }
  // Without a size, images of several sizes are an error naming two of them.
  const std::string e = user_error([&] { load_image_folder(l, {0, false}); });
  CHECK(contains(e, "images differ in size"));
  CHECK(contains(e, "C_owl/v.png is 40x17"));
}

TEST_CASE("extreme aspect ratios: only the kept window of the resize is computed, with the same bytes") {
  // 1×3000 at size 16 would resize to 16×48000 before the crop; the window keeps memory at 16×16.
  const Folders& f = folders();
  const FolderLoad ld = load_image_folder(scan_image_folder(f.root + "/thin"), {16, false});
  CHECK(ld.data.images == array_bytes(f.py.at("thin16")));
}

TEST_CASE("a grayscale folder stays one channel") {
  const Folders& f = folders();
  const FolderLoad ld = load_image_folder(scan_image_folder(f.root + "/gray"), {0, false});
  CHECK(ld.data.c == 1);
  CHECK(ld.data.h == 20);
  CHECK(ld.data.images == array_bytes(f.py.at("gray")));
  const Array& lab = f.py.at("gray_labels");
  CHECK(std::equal(ld.data.labels.begin(), ld.data.labels.end(), lab.as<int32_t>()));
}

TEST_CASE("bad files: an error naming the first, or left out and named with skip-bad") {
  const Folders& f = folders();
  const FolderListing l = scan_image_folder(f.root + "/bad");
  REQUIRE(l.files.size() == 5);
  const std::string e = user_error([&] { load_image_folder(l, {0, false}); });
  CHECK(contains(e, "bad/a/garbage.jpg: not a JPEG or PNG file"));
  CHECK(contains(e, "(and 2 more bad files)"));
  const FolderLoad ld = load_image_folder(l, {0, true});
  CHECK(ld.data.n == 2);
  CHECK(ld.data.labels == std::vector<int32_t>{0, 1});
  REQUIRE(ld.skipped.size() == 3);
  CHECK(contains(ld.skipped[0], "garbage.jpg"));
  CHECK(contains(ld.skipped[1], "trunc.jpg: corrupt JPEG"));
  CHECK(contains(ld.skipped[2], "trunc2.jpg: truncated JPEG (the file ends before the last row)"));
  // A class with no image file, a missing folder, a folder of files only.
  CHECK(contains(user_error([&] { scan_image_folder(f.root + "/nope"); }), "nope: no such folder"));
  CHECK(contains(user_error([&] { scan_image_folder(f.root + "/bad/a"); }), "no class folders"));
  ::mkdir((f.root + "/bad/c").c_str(), 0755);
  std::ofstream(f.root + "/bad/c/readme.txt") << "x";
  CHECK(contains(user_error([&] { scan_image_folder(f.root + "/bad"); }), "no image file in the class folder(s) c"));
}

TEST_CASE("--data folder: train/ and val/, the options, and the cache") {
  const Folders& f = folders();
  const TempDir tmp("aws_folder_cache");
  const std::string cache = tmp.path;
  ::setenv("AWS_CACHE_DIR", cache.c_str(), 1);
  const std::string spec = "folder,size=16:" + f.root + "/mixed";
  const Dataset tr = load_dataset(spec, "", true);
  CHECK(tr.images == array_bytes(f.py.at("ds16")));
  CHECK(tr.name == spec + "/train");
  const Dataset te = load_dataset(spec, "", false);
  CHECK(te.images == array_bytes(f.py.at("val16")));
  const Array& vl = f.py.at("val_labels");
  CHECK(std::equal(te.labels.begin(), te.labels.end(), vl.as<int32_t>()));
  // Both sets are cached now; a second load reads the entries.
  std::vector<std::string> entries = dir_entries(cache);
  REQUIRE(entries.size() == 2);
  CHECK(load_dataset(spec, "", true).images == tr.images);
  // A damaged entry is not used: the folder is decoded again and the entry rewritten.
  const FolderListing l = scan_image_folder(f.root + "/mixed/train");
  const std::string path = folder_cache_path(cache, folder_fingerprint(l, {16, false}));
  std::vector<uint8_t> bytes = read_file_bytes(path);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  std::string note;
  CHECK_FALSE(folder_cache_read(path, folder_fingerprint(l, {16, false}), &note).has_value());
  CHECK(contains(note, "ignoring the folder cache"));
  CHECK(load_dataset(spec, "", true).images == tr.images);
  CHECK(folder_cache_read(path, folder_fingerprint(l, {16, false}), &note).has_value());
  // Another size is another entry; a touched file changes the fingerprint.
  const std::string fp16 = folder_fingerprint(l, {16, false});
  CHECK(folder_fingerprint(l, {24, false}) != fp16);
  ::utimensat(AT_FDCWD, l.files[0].c_str(), nullptr, 0);
  CHECK(folder_fingerprint(l, {16, false}) != fp16);
  // Spec errors name --data.
  CHECK(contains(user_error([&] { parse_folder_spec("folder,size=0:" + f.root); }), "size=0 must be"));
  CHECK(contains(user_error([&] { parse_folder_spec("folder,big:" + f.root); }), "unknown folder option 'big'"));
  CHECK(contains(user_error([&] { parse_folder_spec("folder:"); }), "no folder after"));
  CHECK(parse_folder_spec("folder,skip-bad,size=64:/a/b/").root == "/a/b");
  CHECK(contains(user_error([&] { load_dataset("folder:" + f.root + "/gray", "", false); }), "no test set"));
  ::unsetenv("AWS_CACHE_DIR");
}
