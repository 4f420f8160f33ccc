// PNG availability, and the stand-ins a build without libpng links against (the only #if on PNG).
#include "engine/io/image_io.h"

#include "core/error.h"

namespace aws {

#if defined(AWS_WITH_PNG)
bool png_supported() { return true; }
#else
bool png_supported() { return false; }
Image read_png(const std::string& path) { throw UserError(path + ": cannot read PNG: this aws was built without PNG (libpng)"); }
Image read_png_bytes(const uint8_t*, size_t, const std::string& name) {
  throw UserError(name + ": cannot read PNG: this aws was built without PNG (libpng)");
}
void write_png(const std::string& path, const Image&) {
  throw UserError(path + ": cannot write PNG: this aws was built without PNG (libpng)");
}
#endif

}  // namespace aws
