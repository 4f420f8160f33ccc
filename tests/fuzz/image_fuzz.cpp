// libFuzzer target for the image readers (engine/io/image_io*.cpp: libpng's and libjpeg's full APIs,
// chosen by magic bytes) on bytes in memory, at full size and at the DCT scales of a JPEG draft.
// Bad input must end in a UserError; an accepted image must respect the pixel cap (checked from the
// header before any pixel memory is allocated), agree with its header, and hold h·w·c bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "engine/io/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const aws::ImageHeader hd = aws::read_image_header(data, size, "fuzz.img");
    const int scale = hd.format == aws::ImageFormat::jpeg && size > 0 ? 1 << (data[size - 1] % 4) : 1;
    aws::Image img = aws::decode_image(data, size, "fuzz.img", scale);
    if (img.h < 1 || img.w < 1 || uint64_t(img.h) * uint64_t(img.w) > aws::kMaxImagePixels || img.c != hd.c ||
        img.h != (hd.h + scale - 1) / scale || img.w != (hd.w + scale - 1) / scale ||
        img.pixels.size() != size_t(img.h) * img.w * img.c)
      std::abort();
  } catch (const aws::UserError&) {
  }
  return 0;
}
