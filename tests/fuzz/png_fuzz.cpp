// libFuzzer target for the PNG reader (engine/io/image_io_png.cpp, libpng's simplified API) on bytes in
// memory. Bad input must end in a UserError; an accepted image must respect the reader's size cap
// (checked from the header before any pixel memory is allocated) and hold h·w·c bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/io/image_io.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    aws::Image img = aws::read_png_bytes(data, size, "fuzz.png");
    if (img.h < 1 || img.w < 1 || unsigned(img.h) > aws::kMaxPngSide || unsigned(img.w) > aws::kMaxPngSide ||
        (img.c != 1 && img.c != 3) || img.pixels.size() != size_t(img.h) * img.w * img.c)
      std::abort();
  } catch (const aws::UserError&) {
  }
  return 0;
}
