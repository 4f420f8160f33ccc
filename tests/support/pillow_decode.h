// Decoded pixels against Pillow's, shared by the image-folder and real-photo oracle tests:
//   kPillowDecodePy   Python that defines strings(v) (a list of lines as a u1 array), pillow(p) (the
//                     file as Pillow gives it: convert("L") for a gray file, "RGB" otherwise) and
//                     record(i, p) (O['px<i>'] = pillow(p); for a JPEG also O['draft<i>_<s>'] at
//                     Pillow's draft() scales 1/2, 1/4, 1/8);
//   lines(a)          the strings back;
//   check_decodes_like_pillow(files, py)   decode_image of files[i] equals O['px<i>'] and, for a
//                     JPEG, its DCT-scaled decodes equal O['draft<i>_<s>'] (doctest CHECKs).
#pragma once
#include <string>
#include <vector>

#include "tests/support/oracle.h"

namespace aws::test {

extern const char* const kPillowDecodePy;
std::vector<std::string> lines(const Array& a);
void check_decodes_like_pillow(const std::vector<std::string>& files, const Arrays& py);

}  // namespace aws::test
