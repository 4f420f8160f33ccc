// PNG through libpng. Reading uses the full API (not png_image): the simplified reader composites
// alpha and applies gAMA, which Pillow never does. Here, as Pillow's convert("L"/"RGB") gives them:
// palettes expand to RGB, 1/2/4-bit gray scales to 8 bits by bit replication, alpha (and tRNS) is
// dropped, gamma chunks are ignored. 16-bit files follow Pillow's two rules: colour and gray+alpha keep
// each sample's high byte (its "RGB;16B"/"LA;16B" raw modes), plain 16-bit gray opens as mode "I" and
// converts to "L" by clipping at 255. Writing uses the simplified API on 8-bit gray or RGB.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/image_io.h"

namespace aws {

namespace {

struct PngSource {
  const uint8_t* data;
  size_t n, pos;
  char message[256];  // libpng's error text
};

void png_read_bytes(png_structp png, png_bytep out, size_t len) {
  auto* s = static_cast<PngSource*>(png_get_io_ptr(png));
  if (len > s->n - s->pos) png_error(png, "file is truncated");
  std::memcpy(out, s->data + s->pos, len);
  s->pos += len;
}

void png_on_error(png_structp png, png_const_charp msg) {
  auto* s = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(s->message, sizeof s->message, "%s", msg);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

// One read: the structs, destroyed on every path.
struct PngRead {
  PngSource src;
  png_structp png = nullptr;
  png_infop info = nullptr;
  PngRead(const uint8_t* data, size_t n) : src{data, n, 0, {0}} {
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
    if (png) info = png_create_info_struct(png);
    if (!png || !info) throw Error("libpng: cannot allocate a read struct");
    png_set_read_fn(png, &src, png_read_bytes);
  }
  ~PngRead() { png_destroy_read_struct(&png, &info, nullptr); }
};

// Runs f (libpng calls only: no C++ object may live in its frame) with libpng's longjmp target here;
// false when libpng reported an error (its text in r.src.message).
template <class F>
bool png_try(PngRead& r, F&& f) {
  if (setjmp(png_jmpbuf(r.png))) return false;
  f();
  return true;
}

[[noreturn]] void corrupt(const PngRead& r, const std::string& name) {
  throw UserError(name + ": corrupt PNG (" + r.src.message + ")");
}

ImageHeader header_of(PngRead& r, const std::string& name) {
  png_uint_32 w = 0, h = 0;
  int depth = 0, type = 0;
  if (!png_try(r, [&] {
        png_read_info(r.png, r.info);
        png_get_IHDR(r.png, r.info, &w, &h, &depth, &type, nullptr, nullptr, nullptr);
      }))
    corrupt(r, name);
  check_image_size(w, h, name);
  ImageHeader hd;
  hd.format = ImageFormat::png;
  hd.w = int(w), hd.h = int(h);
  hd.c = (type & PNG_COLOR_MASK_COLOR) ? 3 : 1;  // palette images are colour, as Pillow's "P" → "RGB"
  return hd;
}

}  // namespace

ImageHeader read_png_header(const uint8_t* data, size_t n, const std::string& name) {
  PngRead r(data, n);
  return header_of(r, name);
}

Image decode_png(const uint8_t* data, size_t n, const std::string& name) {
  PngRead r(data, n);
  const ImageHeader hd = header_of(r, name);
  Image img;
  img.h = hd.h, img.w = hd.w, img.c = hd.c;
  img.pixels.resize(size_t(img.h) * img.w * img.c);
  const int depth = png_get_bit_depth(r.png, r.info);
  // Pillow's mode "I": 16-bit gray read whole (big-endian samples), clipped to 8 bits below.
  const bool gray16 = depth == 16 && !(png_get_color_type(r.png, r.info) & PNG_COLOR_MASK_ALPHA) && hd.c == 1;
  const size_t sample = gray16 ? 2 : 1;
  std::vector<uint8_t> wide(gray16 ? img.pixels.size() * 2 : 0);
  uint8_t* out = gray16 ? wide.data() : img.pixels.data();
  std::vector<png_bytep> rows(size_t(img.h));
  for (int y = 0; y < img.h; ++y) rows[size_t(y)] = out + size_t(y) * img.w * img.c * sample;
  const bool ok = png_try(r, [&] {
    png_set_palette_to_rgb(r.png);
    png_set_expand_gray_1_2_4_to_8(r.png);
    png_set_strip_alpha(r.png);
    if (!gray16) png_set_strip_16(r.png);  // the high byte, as Pillow's ";16B" raw modes
    png_set_interlace_handling(r.png);
    png_read_update_info(r.png, r.info);
    if (png_get_channels(r.png, r.info) != img.c || png_get_rowbytes(r.png, r.info) != size_t(img.w) * img.c * sample)
      png_error(r.png, "unexpected layout after the transformations");
    png_read_image(r.png, rows.data());
  });
  if (!ok) corrupt(r, name);
  for (size_t i = 0; gray16 && i < img.pixels.size(); ++i)  // Pillow's "I" -> "L": min(v, 255)
    img.pixels[i] = wide[2 * i] ? 255 : wide[2 * i + 1];
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
