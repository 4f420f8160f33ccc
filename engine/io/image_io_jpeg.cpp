// JPEG through libjpeg-turbo's libjpeg API, set up as Pillow 9.4's decoder sets it up, so that the
// pixels are Pillow's bit for bit: libjpeg's defaults (islow IDCT, fancy upsampling), the output
// colour space by component count (1 → grayscale, 3 → RGB, 4 → CMYK), and for a draft the DCT-domain
// scale 1/s with Pillow's draft flag off. CMYK files are read with Adobe's inverted polarity and
// turned into RGB by Pillow's CMYK→RGB conversion. libjpeg's "premature end of file" warning is an
// error here (Pillow raises "image file is truncated"); its other warnings (extraneous bytes, which
// real photo collections hold) are ignored, as Pillow ignores them.
// jpeglib.h uses size_t and FILE without including their headers.
#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdio>

#include <jerror.h>
#include <jpeglib.h>

#include "core/error.h"
#include "engine/io/image_io.h"

namespace aws {

namespace {

struct JpegErrors {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void jpeg_on_error(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

// level −1: a warning about corrupt data; ≥ 0: trace messages.
void jpeg_on_message(j_common_ptr cinfo, int level) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) e->truncated = true;
}

// One decompression: the struct, destroyed on every path.
struct JpegRead {
  jpeg_decompress_struct cinfo;
  JpegErrors err;
  JpegRead(const uint8_t* data, size_t n) {
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = jpeg_on_error;
    err.pub.emit_message = jpeg_on_message;
    err.message[0] = '\0';
    err.truncated = false;
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(n));
  }
  ~JpegRead() { jpeg_destroy_decompress(&cinfo); }
};

// Runs f (libjpeg calls only: no C++ object may live in its frame) with the longjmp target here;
// false when libjpeg reported an error (its text in r.err.message).
template <class F>
bool jpeg_try(JpegRead& r, F&& f) {
  if (setjmp(r.err.jump)) return false;
  f();
  return true;
}

[[noreturn]] void corrupt(const JpegRead& r, const std::string& name) {
  throw UserError(name + ": corrupt JPEG (" + r.err.message + ")");
}

ImageHeader header_of(JpegRead& r, const std::string& name) {
  if (!jpeg_try(r, [&] { jpeg_read_header(&r.cinfo, TRUE); })) corrupt(r, name);
  if (r.err.truncated) throw UserError(name + ": truncated JPEG (the file ends inside its header)");
  check_image_size(r.cinfo.image_width, r.cinfo.image_height, name);
  const int comps = r.cinfo.num_components;
  if (r.cinfo.data_precision != 8) throw UserError(name + ": " + std::to_string(r.cinfo.data_precision) +
                                                   "-bit JPEG is not supported (8-bit only, as Pillow)");
  if (comps != 1 && comps != 3 && comps != 4)
    throw UserError(name + ": JPEG with " + std::to_string(comps) + " components is not supported (1, 3 or 4)");
  ImageHeader hd;
  hd.format = ImageFormat::jpeg;
  hd.w = int(r.cinfo.image_width), hd.h = int(r.cinfo.image_height);
  hd.c = comps == 1 ? 1 : 3;
  return hd;
}

// Pillow's CMYK → RGB on Adobe-inverted samples: with C, M, Y, K as stored (inverted), ink k = 255 − K
// and each channel = (255 − k) − round(ink × (255 − k) / 255) in Pillow's integer rounding.
inline uint8_t cmyk_channel(uint8_t stored_c, uint8_t stored_k) {
  const int nk = stored_k;                 // 255 − (255 − K)
  const int ink = 255 - stored_c;
  const int t = ink * nk + 128;
  const int v = nk - (((t >> 8) + t) >> 8);
  return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

}  // namespace

ImageHeader read_jpeg_header(const uint8_t* data, size_t n, const std::string& name) {
  JpegRead r(data, n);
  return header_of(r, name);
}

Image decode_jpeg(const uint8_t* data, size_t n, const std::string& name, int scale_denom) {
  return decode_jpeg_region(data, n, name, scale_denom, 0, 0, -1, -1);
}

Image decode_jpeg_region(const uint8_t* data, size_t n, const std::string& name, int scale_denom, int x0, int y0,
                         int x1, int y1) {
  JpegRead r(data, n);
  const ImageHeader hd = header_of(r, name);
  const int comps = r.cinfo.num_components;
  r.cinfo.out_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
  r.cinfo.scale_num = 1;
  r.cinfo.scale_denom = unsigned(scale_denom);
  if (!jpeg_try(r, [&] { jpeg_start_decompress(&r.cinfo); })) corrupt(r, name);
  const int full_w = int(r.cinfo.output_width), oh = int(r.cinfo.output_height), oc = r.cinfo.output_components;
  if (y1 < 0) y1 = oh;
  if (x1 < 0) x1 = full_w;
  if (y0 < 0 || y0 >= y1 || y1 > oh || x0 < 0 || x0 >= x1 || x1 > full_w)
    throw Error("decode_jpeg_region: the region is outside the scaled image");
  // The columns to decode: one iMCU more on each side of [x0, x1) (jpeg_crop_scanline aligns the
  // start down to an iMCU boundary and reports where it put it).
  const int imcu = r.cinfo.max_h_samp_factor * int(r.cinfo.min_DCT_scaled_size);  // libjpeg v6 API name
  JDIMENSION cx = JDIMENSION(std::max(0, x0 - imcu)), cw = JDIMENSION(std::min(full_w, x1 + imcu) - int(cx));
  const bool crop = cx > 0 || int(cw) < full_w;
  if (crop && !jpeg_try(r, [&] { jpeg_crop_scanline(&r.cinfo, &cx, &cw); })) corrupt(r, name);
  const int ow = int(r.cinfo.output_width);  // cw after the crop
  // Decoded rows (CMYK needs its own 4-channel buffer before conversion).
  std::vector<uint8_t> raw(size_t(ow) * (y1 - y0) * oc);
  const bool ok = jpeg_try(r, [&] {
    if (y0 > 0) jpeg_skip_scanlines(&r.cinfo, JDIMENSION(y0));
    while (int(r.cinfo.output_scanline) < y1) {
      JSAMPROW row = raw.data() + size_t(int(r.cinfo.output_scanline) - y0) * ow * oc;
      jpeg_read_scanlines(&r.cinfo, &row, 1);
    }
    jpeg_abort_decompress(&r.cinfo);
  });
  if (!ok) corrupt(r, name);
  if (r.err.truncated) throw UserError(name + ": truncated JPEG (the file ends before the last row)");
  // [x0, x1) out of the decoded columns [cx, cx + ow), CMYK turned into RGB on the way.
  Image img;
  img.h = y1 - y0, img.w = x1 - x0, img.c = hd.c;
  if (oc != 4 && x0 == int(cx) && img.w == ow) {  // the rows as decoded
    img.pixels = std::move(raw);
    return img;
  }
  img.pixels.resize(size_t(img.w) * img.h * img.c);
  const int skip = x0 - int(cx);
  for (int y = 0; y < img.h; ++y) {
    const uint8_t* src = raw.data() + (size_t(y) * ow + size_t(skip)) * oc;
    uint8_t* dst = img.pixels.data() + size_t(y) * img.w * img.c;
    if (oc != 4) {
      std::copy_n(src, size_t(img.w) * oc, dst);
      continue;
    }
    for (int x = 0; x < img.w; ++x)
      for (int ch = 0; ch < 3; ++ch) dst[x * 3 + ch] = cmyk_channel(src[x * 4 + ch], src[x * 4 + 3]);
  }
  return img;
}

}  // namespace aws
