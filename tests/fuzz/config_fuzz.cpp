// libFuzzer target for a run directory's config.json: the bytes are parsed as JSON (as the run
// directory reads it) and given to SearchConfig::from_json. Bad input must end in a UserError naming
// the file; any other exception (a raw nlohmann message), a crash or an ASan report is a bug. An
// accepted configuration must read back from its own to_json().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "search/search_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;  // not JSON: the run directory reports that before from_json
  try {
    aws::SearchConfig c = aws::SearchConfig::from_json(j, "config.json");
    aws::SearchConfig back = aws::SearchConfig::from_json(c.to_json(), "config-rt.json");
    if (back.to_json() != c.to_json()) std::abort();
  } catch (const aws::UserError&) {
  }
  return 0;
}
