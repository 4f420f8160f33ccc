// Real photos against Pillow 9.4 and torchvision 0.14: the JPEG and PNG files Debian's python3-skimage
// ships (scripts/setup puts them in AWS_TEST_PHOTOS, default ~/.cache/aws-test-photos/skimage), laid
// out as a class folder (jpg/, png/). Checked: the listing is ImageFolder's; every photo decodes to
// Pillow's pixels (convert("L") for a grayscale file, "RGB" otherwise), the JPEGs also at Pillow's
// draft() scales; the folder at size 64 equals ImageFolder with Resize(64) + CenterCrop(64); the
// truncated JPEG is an error naming it, as it is for Pillow. Missing photos fail the test (never skip).
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/data/image_folder.h"
#include "engine/io/image_io.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/pillow_decode.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using namespace aws::test;

namespace {

std::string photos_dir() {
  if (const char* p = std::getenv("AWS_TEST_PHOTOS"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/aws-test-photos/skimage";
  const char* h = std::getenv("HOME");
  return std::string(h ? h : "") + "/.cache/aws-test-photos/skimage";
}

const char* kPillow = R"PY(
import os
import torchvision.transforms as T
from torchvision.datasets import ImageFolder

f = ImageFolder(os.path.join(ROOT, 'photos'))
O['files'] = strings([os.path.relpath(p, ROOT) for p, _ in f.samples])
for i, (p, _) in enumerate(f.samples):
    record(i, p)
r = ImageFolder(os.path.join(ROOT, 'photos'), transform=T.Compose([T.Resize(64), T.CenterCrop(64)]))
O['ds64'] = np.stack([np.asarray(r[i][0]) for i in range(len(r))])
try:
    Image.open(os.path.join(ROOT, 'truncated.jpg')).load()
    O['truncated_loads'] = np.array([1], np.int32)
except OSError:
    O['truncated_loads'] = np.array([0], np.int32)
)PY";

}  // namespace

TEST_CASE("real photos (python3-skimage's) decode and resize as Pillow and torchvision do") {
  namespace fs = std::filesystem;
  const std::string src = photos_dir();
  std::vector<fs::path> jpgs, pngs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(src, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".jpg" && e.path().filename() != "truncated.jpg") jpgs.push_back(e.path());
    if (ext == ".png") pngs.push_back(e.path());
  }
  INFO("photos from ", src);
  REQUIRE_MESSAGE(jpgs.size() >= 3, "python3-skimage's photos are missing: scripts/setup fetches them");
  REQUIRE(pngs.size() >= 20);
  REQUIRE(fs::exists(src + "/truncated.jpg"));
  const TempDir tmp("aws_real_photos");
  const std::string root = tmp.path;
  fs::create_directories(root + "/photos/jpg");
  fs::create_directories(root + "/photos/png");
  for (const fs::path& p : jpgs) fs::copy_file(p, root + "/photos/jpg/" + p.filename().string());
  for (const fs::path& p : pngs) fs::copy_file(p, root + "/photos/png/" + p.filename().string());
  fs::copy_file(src + "/truncated.jpg", root + "/truncated.jpg");
  const Arrays py = run_python("ROOT = '" + root + "'\n" + kPillowDecodePy + kPillow, {});

  const FolderListing l = scan_image_folder(root + "/photos");
  std::vector<std::string> rel;
  for (const std::string& p : l.files) rel.push_back(p.substr(root.size() + 1));
  CHECK(rel == lines(py.at("files")));
  REQUIRE(l.files.size() == jpgs.size() + pngs.size());
  check_decodes_like_pillow(l.files, py);
  const FolderLoad ld = load_image_folder(l, {64, false});
  CHECK(ld.data.c == 3);
  CHECK(ld.data.images == py.at("ds64").bytes);

  CHECK(py.at("truncated_loads").as<int32_t>()[0] == 0);  // Pillow refuses it too
  const std::string path = root + "/truncated.jpg";
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const std::string err = user_error([&] { decode_image(bytes.data(), bytes.size(), path); });
  CHECK(contains(err, path));
  CHECK(contains(err, "truncated"));
}
