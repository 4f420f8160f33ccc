// Class folders of JPEG/PNG images (root/<class>/<files>), read as torchvision 0.14's ImageFolder
// reads them, into the resident uint8 dataset (dataset.h):
//   classes  the root's sub-folders (symbolic links followed), sorted by name (byte order);
//   files    every file under a class folder, recursively, whose name ends (any case) in one of
//            torchvision's IMG_EXTENSIONS, walked as sorted(os.walk(..., followlinks=True)) walks
//            them (folders by path, files by name); a class without files is an error, as there;
//   pixels   decoded by magic bytes (engine/io/image_io.h), bit-identical to Pillow. A folder whose
//            images are all grayscale stays one channel (torchvision's loader would convert to
//            RGB, three equal planes); any colour image makes the whole folder RGB.
//   size     with `image_size` S, torchvision's Resize(S) + CenterCrop(S) (engine/data/image_resize.h);
//            without, every image must already have one size.
// Decoding runs on all OpenMP threads; the result can be cached (folder_cache.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

// torchvision's IMG_EXTENSIONS (".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp" are listed, then
// refused when decoded: only JPEG and PNG are read).
const std::vector<std::string>& image_folder_extensions();

struct FolderListing {
  std::string root;
  std::vector<std::string> classes;  // sorted class folder names
  std::vector<std::string> files;    // paths (root/class/...), in ImageFolder's order
  std::vector<int32_t> labels;       // class index per file
};

// The sorted class folder names alone. UserError naming the folder when it is missing or has none.
std::vector<std::string> image_folder_classes(const std::string& root);

// UserError naming the folder when it is missing, has no class folders, or a class has no image.
FolderListing scan_image_folder(const std::string& root);

struct FolderLoadOptions {
  int image_size = 0;     // 0: the images' own size; S > 0: Resize(S) + CenterCrop(S)
  bool skip_bad = false;  // leave out files that do not decode (named in FolderLoad::skipped)
};

struct FolderLoad {
  Dataset data;
  std::vector<std::string> skipped;  // "<path>: <why>" per file left out (skip_bad)
};

// The labels-only dataset of a folder streamed at size × size RGB (train/streamed_folder.h decodes
// its batches): n, classes, labels and the files from the listing, no pixels.
Dataset streamed_folder_dataset(const std::string& root, int size, const std::string& name);

// Decodes a listing. Without skip_bad the first bad file (in listing order) is a UserError naming
// it, with the count of bad files; so is a size mismatch without image_size.
FolderLoad load_image_folder(const FolderListing& listing, const FolderLoadOptions& opt);

}  // namespace aws
