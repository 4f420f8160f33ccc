// Run directory files: config check, controller state container, log reading and truncation.
#include "search/run_dir.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/checkpoint.h"
#include "engine/io/read_file.h"

namespace aws {

using nlohmann::json;

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

static std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UserError(path + ": cannot read");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

SearchConfig read_search_config(const std::string& path) {
  json j;
  try {
    j = json::parse(slurp(path));
  } catch (const json::parse_error& e) {
    throw UserError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  return SearchConfig::from_json(j, path);
}

void run_dir_open(const RunDir& rd, const SearchConfig& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(rd.dir, ec);
  if (ec) throw UserError(rd.dir + ": cannot create the run directory (" + ec.message() + ")");
  if (file_exists(rd.config())) {
    SearchConfig stored = read_search_config(rd.config());
    std::vector<std::string> d = config_diff(stored, cfg);
    if (!d.empty()) {
      std::string msg;
      for (const auto& s : d) msg += (msg.empty() ? "" : "; ") + s;
      throw UserError(rd.config() + ": the run directory was made by another configuration: " + msg +
                      " (use another --run directory, or the same flags to resume)");
    }
    return;
  }
  atomic_write_file(rd.config(), cfg.to_json().dump(2) + "\n");
}

void write_controller_state(const std::string& path, const ControllerState& s) {
  CheckpointData d;
  d.kind = "search-controller";
  d.meta_json = json{{"loops_done", s.loops_done}, {"digest", s.digest}}.dump();
  std::vector<uint8_t> bytes = s.controller.serialize();
  d.blobs.push_back(Blob::of("controller", DType::u8, {int64_t(bytes.size())}, bytes.data()));
  d.blobs.push_back(Blob::of("last_reward", DType::f64, {1}, &s.last_reward));
  checkpoint_write(path, d);
}

ControllerState read_controller_state(const std::string& path) {
  CheckpointData d = checkpoint_read(path);
  if (d.kind != "search-controller") throw UserError(path + ": kind '" + d.kind + "', expected 'search-controller'");
  ControllerState s;
  try {
    json m = json::parse(d.meta_json);
    s.loops_done = m.at("loops_done").get<int64_t>();
    s.digest = m.at("digest").get<std::string>();
  } catch (const json::exception& e) {
    throw UserError(path + ": meta: " + e.what());
  }
  const Blob& c = d.blob("controller", path);
  s.controller = Controller::deserialize(c.bytes, path);
  const Blob& r = d.blob("last_reward", path);
  if (r.dtype != DType::f64 || r.bytes.size() != 8) throw UserError(path + ": blob 'last_reward' must be one f64");
  std::memcpy(&s.last_reward, r.bytes.data(), 8);
  if (s.loops_done < 0 || s.loops_done != s.controller.updates())
    throw UserError(path + ": loops_done " + std::to_string(s.loops_done) + " does not match the controller's " +
                    std::to_string(s.controller.updates()) + " updates");
  return s;
}

std::vector<json> read_log(const std::string& path) {
  std::vector<json> out;
  if (!file_exists(path)) return out;
  std::string text = slurp(path);
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // torn last line: ignored
    ++line_no;
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    try {
      out.push_back(json::parse(line));
    } catch (const json::parse_error&) {
      throw UserError(path + ": line " + std::to_string(line_no) + " is not valid JSON");
    }
  }
  return out;
}

void truncate_log(const std::string& path, int64_t loops_done) {
  if (!file_exists(path)) return;
  std::string text = slurp(path);
  std::vector<json> recs = read_log(path);
  std::string kept;
  for (const json& r : recs)
    if (r.contains("loop") && r["loop"].is_number_integer() && r["loop"].get<int64_t>() < loops_done)
      kept += r.dump() + "\n";
  if (kept != text) atomic_write_file(path, kept);
}

}  // namespace aws
