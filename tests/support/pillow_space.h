// The authors' augmentation space in Python lives in tests/support/pillow_space.py (space(), ELS,
// apply(img, op, m, sign), SIGNED and recompose(), the pass rebuilt from its draws), shared with the
// awsaug tests; kPillowSpace imports it into an oracle snippet.
#pragma once
#include <string>

namespace aws::test {

inline const std::string kPillowSpace = std::string("import sys\nsys.path.insert(0, '") + AWS_SOURCE_DIR +
                                        "/tests/support')\nfrom pillow_space import *\n";

}  // namespace aws::test
