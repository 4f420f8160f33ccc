// PNG reading and writing with libpng's simplified API (png_image), which handles every colour
// type and bit depth and reports errors as text instead of longjmp.
#include <png.h>

#include <cstring>

#include "augment/image_io.h"
#include "engine/core/error.h"

namespace aws {

Image read_png(const std::string& path) {
  png_image pi;
  std::memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&pi, path.c_str()))
    throw UserError(path + ": cannot read PNG (" + pi.message + ")");
  const bool gray = (pi.format & PNG_FORMAT_FLAG_COLOR) == 0;
  Image img;
  img.h = int(pi.height), img.w = int(pi.width), img.c = gray ? 1 : 3;
  if (pi.width == 0 || pi.height == 0 || pi.width > 65536 || pi.height > 65536) {
    png_image_free(&pi);
    throw UserError(path + ": unsupported PNG size " + std::to_string(pi.width) + "x" + std::to_string(pi.height));
  }
  // Without an alpha channel in the output format, libpng composites alpha onto black.
  pi.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  img.pixels.resize(size_t(img.h) * img.w * img.c);
  if (!png_image_finish_read(&pi, nullptr, img.pixels.data(), 0, nullptr)) {
    std::string msg = pi.message;
    png_image_free(&pi);
    throw UserError(path + ": corrupt PNG (" + msg + ")");
  }
  return img;
}

void write_png(const std::string& path, const Image& img) {
  if (img.c != 1 && img.c != 3) throw Error("write_png: images must have 1 or 3 channels");
  png_image pi;
  std::memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  pi.width = png_uint_32(img.w);
  pi.height = png_uint_32(img.h);
  pi.format = img.c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&pi, path.c_str(), 0, img.pixels.data(), 0, nullptr))
    throw UserError(path + ": cannot write PNG (" + pi.message + ")");
}

}  // namespace aws
