// libFuzzer target for the policy file reader: any bytes must give a Policy or a UserError, never a
// crash, another exception type, or an accepted policy that breaks the reader's own guarantees.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "augment/policy_json.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    aws::Policy p = aws::parse_policy_json(text, "fuzz.json");
    if (p.has_pair_op()) {
      double s = 0;
      for (double v : p.probs) {
        if (!(v >= 0) || !std::isfinite(v)) std::abort();
        s += v;
      }
      if (p.probs.size() != size_t(aws::kPairs) || std::fabs(s - 1) > aws::kProbSumTolerance) std::abort();
    }
    // An accepted policy must write back to a file the reader accepts again.
    aws::parse_policy_json(aws::policy_to_json(p), "fuzz-rt.json");
  } catch (const aws::UserError&) {
  }
  return 0;
}
