// Format dispatch by magic bytes, the caps, and the stand-ins a build without libpng or libjpeg links
// against (the only #if on either library).
#include "engine/io/image_io.h"

#include <sys/stat.h>

#include <cstring>

#include "core/error.h"
#include "engine/io/read_file.h"

namespace aws {

ImageFormat sniff_image_format(const uint8_t* data, size_t n) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  if (n >= 8 && std::memcmp(data, kPng, 8) == 0) return ImageFormat::png;
  if (n >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return ImageFormat::jpeg;
  return ImageFormat::unknown;
}

void check_image_size(uint64_t w, uint64_t h, const std::string& name) {
  if (w == 0 || h == 0 || w * h > kMaxImagePixels)
    throw UserError(name + ": image size " + std::to_string(w) + "x" + std::to_string(h) +
                    " (from its header) is outside 1.." + std::to_string(kMaxImagePixels) + " pixels");
}

namespace {

[[noreturn]] void unknown_format(const std::string& name) {
  throw UserError(name + ": not a JPEG or PNG file (by its first bytes)");
}

}  // namespace

ImageHeader read_image_header(const uint8_t* data, size_t n, const std::string& name) {
  switch (sniff_image_format(data, n)) {
    case ImageFormat::png: return read_png_header(data, n, name);
    case ImageFormat::jpeg: return read_jpeg_header(data, n, name);
    default: unknown_format(name);
  }
}

Image decode_image(const uint8_t* data, size_t n, const std::string& name, int scale_denom) {
  if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8)
    throw Error("decode_image: scale_denom must be 1, 2, 4 or 8");
  switch (sniff_image_format(data, n)) {
    case ImageFormat::png:
      if (scale_denom != 1) throw Error("decode_image: PNG has no DCT-domain scaling");
      return decode_png(data, n, name);
    case ImageFormat::jpeg: return decode_jpeg(data, n, name, scale_denom);
    default: unknown_format(name);
  }
}

Image to_rgb(Image img) {
  if (img.c == 3) return img;
  Image out;
  out.h = img.h, out.w = img.w, out.c = 3;
  out.pixels.resize(img.pixels.size() * 3);
  for (size_t i = 0; i < img.pixels.size(); ++i)
    out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = img.pixels[i];
  return out;
}

std::vector<uint8_t> read_image_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw UserError(path + ": cannot open (no such file, or a broken link)");
  if (!S_ISREG(st.st_mode)) throw UserError(path + ": not a regular file");
  if (uint64_t(st.st_size) > kMaxImageFileBytes)
    throw UserError(path + ": " + std::to_string(st.st_size) + " bytes, over the image file cap of " +
                    std::to_string(kMaxImageFileBytes));
  return read_file_bytes(path);
}

Image read_image(const std::string& path) {
  std::vector<uint8_t> bytes = read_image_file(path);
  return decode_image(bytes.data(), bytes.size(), path);
}

#if defined(AWS_WITH_PNG)
bool png_supported() { return true; }
#else
bool png_supported() { return false; }
Image decode_png(const uint8_t*, size_t, const std::string& name) {
  throw UserError(name + ": cannot read PNG: this aws was built without PNG (libpng)");
}
ImageHeader read_png_header(const uint8_t*, size_t, const std::string& name) {
  throw UserError(name + ": cannot read PNG: this aws was built without PNG (libpng)");
}
void write_png(const std::string& path, const Image&) {
  throw UserError(path + ": cannot write PNG: this aws was built without PNG (libpng)");
}
#endif

#if defined(AWS_WITH_JPEG)
bool jpeg_supported() { return true; }
#else
bool jpeg_supported() { return false; }
Image decode_jpeg(const uint8_t*, size_t, const std::string& name, int) {
  throw UserError(name + ": cannot read JPEG: this aws was built without JPEG (libjpeg-turbo)");
}
ImageHeader read_jpeg_header(const uint8_t*, size_t, const std::string& name) {
  throw UserError(name + ": cannot read JPEG: this aws was built without JPEG (libjpeg-turbo)");
}
Image decode_jpeg_region(const uint8_t*, size_t, const std::string& name, int, int, int, int, int) {
  throw UserError(name + ": cannot read JPEG: this aws was built without JPEG (libjpeg-turbo)");
}
#endif

}  // namespace aws
