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

// Reads a PNG as gray (gray or gray+alpha files) or RGB (everything else); 16-bit is reduced to
// 8-bit, palettes expanded; libpng's simplified reader composites alpha onto black. 8-bit gray and
// RGB files without alpha are read byte for byte. UserError "<path>: ..." for an unreadable or bad file.
Image read_png(const std::string& path);

// Writes an 8-bit gray or RGB PNG. UserError "<path>: ..." when the file cannot be written.
void write_png(const std::string& path, const Image& img);

}  // namespace aws
