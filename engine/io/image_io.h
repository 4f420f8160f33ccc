// 8-bit PNG images for the augment CLI (apply, preview): grayscale ("L") or RGB, HWC bytes.
// PNG goes through Debian's libpng (image_io_png.cpp); a build without it still links, and
// png_supported() says so, while read_png/write_png throw UserError "built without PNG".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aws {

struct Image {
  int h = 0, w = 0, c = 0;       // c = 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;   // h·w·c bytes, row-major HWC
};

// True when this binary was built with libpng.
bool png_supported();

// The largest PNG side we decode. The size is read from the header (IHDR, by png_read_info inside
// png_image_begin_read) and checked before any pixel memory is allocated, so a 20000x20000 file is
// refused at once instead of being decoded (1.2 GB) first. 8192 is far above any training image.
constexpr unsigned kMaxPngSide = 8192;

// Reads a PNG as gray (gray or gray+alpha files) or RGB (everything else); 16-bit is reduced to
// 8-bit, palettes expanded; libpng's simplified reader composites alpha onto black. 8-bit gray and
// RGB files without alpha are read byte for byte. UserError "<path>: ..." for an unreadable or bad file,
// or one wider or taller than kMaxPngSide.
Image read_png(const std::string& path);

// The same from bytes in memory; `name` names the source in messages (used by the fuzz target).
Image read_png_bytes(const uint8_t* data, size_t n, const std::string& name);

// Writes an 8-bit gray or RGB PNG: encoded in memory, then written with atomic_write_file, so an
// existing output survives a full disk or a crash. UserError "<path>: ..." when it cannot be written.
void write_png(const std::string& path, const Image& img);

}  // namespace aws
