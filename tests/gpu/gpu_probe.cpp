// Runs the gpu suite's skip rule (gpu_probe.h) at start-up, before any test case.
#include "tests/gpu/gpu_probe.h"

#include <cstdio>
#include <cstdlib>

#include "core/context.h"
#include "core/error.h"

namespace aws::test {

bool require_gpu_or_skip() {
  try {
    Ctx probe(Device::cuda);
  } catch (const UserError& e) {
    std::fprintf(stderr, "gpu tests skipped: %s\n", e.what());
    std::exit(77);
  }
  return true;
}

namespace {
[[maybe_unused]] const bool g_gpu_present = require_gpu_or_skip();  // a start-up check, not state
}

}  // namespace aws::test
