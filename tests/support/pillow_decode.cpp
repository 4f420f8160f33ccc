// See pillow_decode.h.
#include "tests/support/pillow_decode.h"

#include <doctest/doctest.h>

#include <sstream>

#include "engine/io/image_io.h"
#include "engine/io/read_file.h"

namespace aws::test {

const char* const kPillowDecodePy = R"PY(
import numpy as np
from PIL import Image

def strings(v): return np.frombuffer('\n'.join(v).encode(), np.uint8)
def pillow(p):
    im = Image.open(p)
    return np.asarray(im.convert('L' if im.mode in ('L', 'LA', '1', 'I') else 'RGB'))
def record(i, p):
    O['px%d' % i] = pillow(p)
    if Image.open(p).format != 'JPEG':
        return
    for s in (2, 4, 8):
        im = Image.open(p)
        w, h = im.size
        im.draft(im.mode, (w // s, h // s))
        assert im.size == ((w + s - 1) // s, (h + s - 1) // s), (p, s, im.size)
        O['draft%d_%d' % (i, s)] = np.asarray(im.convert('L' if im.mode == 'L' else 'RGB'))
)PY";

std::vector<std::string> lines(const Array& a) {
  std::vector<std::string> out;
  std::stringstream ss(std::string(a.bytes.begin(), a.bytes.end()));
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

void check_decodes_like_pillow(const std::vector<std::string>& files, const Arrays& py) {
  for (size_t i = 0; i < files.size(); ++i) {
    INFO("file ", files[i]);
    const std::vector<uint8_t> bytes = read_file_bytes(files[i]);
    const Image img = decode_image(bytes.data(), bytes.size(), files[i]);
    const Array& ref = py.at("px" + std::to_string(i));
    CHECK(img.h == ref.shape[0]);
    CHECK(img.w == ref.shape[1]);
    CHECK(img.c == (ref.shape.size() == 3 ? int(ref.shape[2]) : 1));
    CHECK(img.pixels == ref.bytes);
    const ImageHeader hd = read_image_header(bytes.data(), bytes.size(), files[i]);
    CHECK(hd.c == img.c);
    CHECK(hd.h == img.h);
    if (hd.format != ImageFormat::jpeg) continue;
    for (int s : {2, 4, 8}) {
      INFO("scale 1/", s);
      const Image d = decode_image(bytes.data(), bytes.size(), files[i], s);
      const Array& dr = py.at("draft" + std::to_string(i) + "_" + std::to_string(s));
      CHECK(d.h == dr.shape[0]);
      CHECK(d.w == dr.shape[1]);
      CHECK(d.pixels == dr.bytes);
    }
  }
}

}  // namespace aws::test
