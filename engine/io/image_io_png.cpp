// PNG reading and writing with libpng's simplified API (png_image), which handles every colour
// type and bit depth and reports errors as text instead of longjmp. Reads check the header's size
// before allocating; writes encode to memory and go through atomic_write_file.
#include <png.h>

#include <cstring>

#include "engine/io/image_io.h"
#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/read_file.h"

namespace aws {

namespace {

// The shared body of read_png and read_png_bytes: `pi` has been begun (its header read).
Image finish_read(png_image& pi, const std::string& name) {
  const bool gray = (pi.format & PNG_FORMAT_FLAG_COLOR) == 0;
  if (pi.width == 0 || pi.height == 0 || pi.width > kMaxPngSide || pi.height > kMaxPngSide) {
    png_image_free(&pi);
    throw UserError(name + ": PNG size " + std::to_string(pi.width) + "x" + std::to_string(pi.height) +
                    " (from its header) is outside 1.." + std::to_string(kMaxPngSide) + " a side");
  }
  Image img;
  img.h = int(pi.height), img.w = int(pi.width), img.c = gray ? 1 : 3;
  // Without an alpha channel in the output format, libpng composites alpha onto black.
  pi.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  img.pixels.resize(size_t(img.h) * img.w * img.c);
  if (!png_image_finish_read(&pi, nullptr, img.pixels.data(), 0, nullptr)) {
    std::string msg = pi.message;
    png_image_free(&pi);
    throw UserError(name + ": corrupt PNG (" + msg + ")");
  }
  return img;
}

}  // namespace

Image read_png_bytes(const uint8_t* data, size_t n, const std::string& name) {
  png_image pi;
  std::memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&pi, data, n))
    throw UserError(name + ": cannot read PNG (" + pi.message + ")");
  return finish_read(pi, name);
}

Image read_png(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return read_png_bytes(bytes.data(), bytes.size(), path);
}

void write_png(const std::string& path, const Image& img) {
  if (img.c != 1 && img.c != 3) throw Error("write_png: images must have 1 or 3 channels");
  png_image pi;
  std::memset(&pi, 0, sizeof pi);
  pi.version = PNG_IMAGE_VERSION;
  pi.width = png_uint_32(img.w);
  pi.height = png_uint_32(img.h);
  pi.format = img.c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  // First call sizes the buffer, second encodes into it.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&pi, nullptr, &size, 0, img.pixels.data(), 0, nullptr))
    throw UserError(path + ": cannot encode PNG (" + pi.message + ")");
  std::vector<uint8_t> buf(size);
  if (!png_image_write_to_memory(&pi, buf.data(), &size, 0, img.pixels.data(), 0, nullptr))
    throw UserError(path + ": cannot encode PNG (" + pi.message + ")");
  atomic_write_file(path, buf.data(), size);
}

}  // namespace aws
