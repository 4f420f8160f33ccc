// Image files: JPEG (libjpeg-turbo, through the libjpeg API) and 8-bit PNG (libpng) in, PNG out.
// Decoded pixels are what Pillow 9.4 gives for `Image.open(f)` followed by `.convert("L")` for a
// grayscale file or `.convert("RGB")` for any other: the same libraries underneath with the same
// settings, and Pillow's own conversions (alpha dropped, palettes expanded, CMYK by Pillow's formula).
// The format is chosen by the file's magic bytes, never its name. Sizes come from the header and
// are checked against the caps before any pixel memory is allocated.
// A build without libpng or libjpeg still links: png_supported()/jpeg_supported() say so and the
// decoders throw UserError "... built without ...".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aws {

struct Image {
  int h = 0, w = 0, c = 0;       // c = 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;   // h·w·c bytes, row-major HWC
};

enum class ImageFormat { unknown, jpeg, png };

// True when this binary was built with libpng / libjpeg.
bool png_supported();
bool jpeg_supported();

// Caps, checked before decoding: Pillow 9.4's decompression-bomb limit (2 × Image.MAX_IMAGE_PIXELS,
// where Pillow itself refuses an image) and a file size far above any photo.
constexpr uint64_t kMaxImagePixels = 178956970;
constexpr uint64_t kMaxImageFileBytes = uint64_t(1) << 30;

// The format by magic bytes: FF D8 FF (JPEG), 89 'PNG' 0D 0A 1A 0A (PNG), else unknown.
ImageFormat sniff_image_format(const uint8_t* data, size_t n);

// What the header says, without decoding pixels: size, and whether the file decodes to one channel
// (JPEG with one component; PNG gray or gray+alpha) or three.
struct ImageHeader {
  ImageFormat format = ImageFormat::unknown;
  int h = 0, w = 0, c = 0;
};
ImageHeader read_image_header(const uint8_t* data, size_t n, const std::string& name);

// Decodes bytes in memory; `name` names the source in messages. `scale_denom` (1, 2, 4 or 8; JPEG
// only, PNG requires 1) is libjpeg's DCT-domain downscaling, as Pillow's draft() uses it: the result
// is ceil(w / s) × ceil(h / s). UserError "<name>: ..." for an unknown format, a corrupt or
// truncated file, or a size over kMaxImagePixels.
Image decode_image(const uint8_t* data, size_t n, const std::string& name, int scale_denom = 1);

// The region [x0, x1) × [y0, y1) of a JPEG decoded at DCT scale 1/scale_denom (coordinates of the
// scaled image): the rows above are skipped (jpeg_skip_scanlines), decoding stops after y1, and only
// the iMCU columns that hold [x0, x1) go through the IDCT and colour conversion (jpeg_crop_scanline;
// the columns decoded are widened by one iMCU on each side so that fancy upsampling sees the same
// neighbours as in a whole decode). What a crop needs; the pixels equal the whole decode's.
Image decode_jpeg_region(const uint8_t* data, size_t n, const std::string& name, int scale_denom, int x0, int y0,
                         int x1, int y1);

// Pillow's convert("RGB") of a gray image: three equal channels (an RGB image is returned as is).
Image to_rgb(Image img);

// A file's bytes for decoding: UserError for a missing file, a non-regular one (a FIFO would block the
// reader) or one over kMaxImageFileBytes, all checked before it is opened.
std::vector<uint8_t> read_image_file(const std::string& path);

// read_image_file, then decode_image.
Image read_image(const std::string& path);

// Writes an 8-bit gray or RGB PNG: encoded in memory, then written with atomic_write_file, so an
// existing output survives a full disk or a crash. UserError "<path>: ..." when it cannot be written.
void write_png(const std::string& path, const Image& img);

// The format-specific decoders behind decode_image (image_io_png.cpp, image_io_jpeg.cpp).
Image decode_png(const uint8_t* data, size_t n, const std::string& name);
Image decode_jpeg(const uint8_t* data, size_t n, const std::string& name, int scale_denom);
ImageHeader read_png_header(const uint8_t* data, size_t n, const std::string& name);
ImageHeader read_jpeg_header(const uint8_t* data, size_t n, const std::string& name);

// UserError unless 1 ≤ w, h and w·h ≤ kMaxImagePixels ("<name>: image size WxH (from its header) ...").
void check_image_size(uint64_t w, uint64_t h, const std::string& name);

}  // namespace aws
