// Run directory files: config check, controller state container, log reading and truncation.
#include "search/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
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

// 'field "x" holds ' for the first numeric literal of `text` that overflows a double (the JSON
// library names no field), or "" when it cannot tell. Scans "key": number pairs of the flat object.
static std::string overflow_field(const std::string& text) {
  size_t pos = 0;
  while ((pos = text.find('"', pos)) != std::string::npos) {
    const size_t end = text.find('"', pos + 1);
    if (end == std::string::npos) break;
    const std::string key = text.substr(pos + 1, end - pos - 1);
    size_t v = text.find_first_not_of(" \t\r\n", end + 1);
    if (v != std::string::npos && text[v] == ':') {
      v = text.find_first_not_of(" \t\r\n", v + 1);
      const size_t stop = v == std::string::npos ? v : text.find_first_of(",}\n", v);
      if (v != std::string::npos && (std::isdigit((unsigned char)text[v]) || text[v] == '-')) {
        errno = 0;
        const std::string lit = text.substr(v, stop - v);
        const double d = std::strtod(lit.c_str(), nullptr);
        if (errno == ERANGE || !std::isfinite(d)) return "field \"" + key + "\" holds ";
      }
      pos = stop == std::string::npos ? text.size() : stop;
      continue;
    }
    pos = end + 1;
  }
  return "";
}

SearchConfig read_search_config(const std::string& path) {
  json j;
  try {
    j = json::parse(slurp(path));
  } catch (const json::parse_error& e) {
    throw UserError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  } catch (const json::out_of_range& e) {  // a number that overflows a double: name its field
    throw UserError(path + ": " + overflow_field(slurp(path)) + "a number out of range (" + e.what() + ")");
  }
  return SearchConfig::from_json(j, path);
}

void check_run_dir_target(const RunDir& rd) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(rd.dir, ec);
  if (!fs::exists(st)) return;  // created later
  if (!fs::is_directory(st)) throw UserError(rd.dir + ": --run names an existing file that is not a directory");
  if (file_exists(rd.config())) return;
  // A directory without config.json: only one this program started (its lock file, the temporary of
  // a config.json that was being written) may be continued.
  for (fs::directory_iterator it(rd.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "lock" || name.rfind("config.json.tmp", 0) == 0) continue;
    throw UserError(rd.dir + ": not empty and not a run directory (no config.json; it holds " + name +
                    "): refusing to write into it; give --run a new or empty folder");
  }
  if (ec) throw UserError(rd.dir + ": cannot list the directory (" + ec.message() + ")");
}

RunDirLock::RunDirLock(const RunDir& rd) {
  std::error_code ec;
  std::filesystem::create_directories(rd.dir, ec);
  if (ec) throw UserError(rd.dir + ": cannot create the run directory (" + ec.message() + ")");
  const std::string path = rd.lock();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0) throw UserError(path + ": cannot open the lock file (" + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {0};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, size_t(n)) : std::string("unknown");
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw UserError(rd.dir + ": in use by another aws search (PID " + pid + ", lock " + path +
                      "); wait for it to finish or stop it");
    throw UserError(path + ": cannot lock (" + std::strerror(err) + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw UserError(path + ": cannot write the lock file (" + std::strerror(err) + ")");
  }
}

RunDirLock::~RunDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race a waiter)
}

std::string run_dir_open(const RunDir& rd, const SearchConfig& cfg) {
  if (!file_exists(rd.config())) {
    atomic_write_file(rd.config(), cfg.to_json().dump(2) + "\n");
    return "";
  }
  SearchConfig stored = read_search_config(rd.config());
  std::vector<std::string> d = config_diff(stored, cfg);
  if (!d.empty()) {
    std::string msg;
    for (const auto& s : d) msg += (msg.empty() ? "" : "; ") + s;
    throw UserError(rd.config() + ": the run directory was made by another configuration: " + msg +
                    " (use another --run directory, or the same flags to resume)");
  }
  const std::vector<std::string> m = resume_mismatch(stored, cfg);
  if (!m.empty()) throw UserError(rd.config() + ": cannot resume: " + m.front());
  std::string note;
  if (stored.data_fingerprint.empty()) note = "the training data's fingerprint";
  if (cfg.device == "cpu" && stored.threads <= 0) note += std::string(note.empty() ? "" : " and ") + "the thread count";
  if (note.empty()) return "";
  SearchConfig updated = stored;  // same semantic fields; only what was unknown is filled in
  updated.data_fingerprint = cfg.data_fingerprint;
  if (cfg.device == "cpu") updated.threads = cfg.threads;
  atomic_write_file(rd.config(), updated.to_json().dump(2) + "\n");
  return rd.config() + ": an older run directory: recorded " + note + " (later resumes must match them)";
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
  if (!file_exists(path)) {
    if (loops_done > 0)
      throw UserError(path + ": missing, but the controller state has " + std::to_string(loops_done) +
                      " loops done; lost records cannot be rebuilt: move controller.ckpt away to recompute stage 2 "
                      "from loop 0 (omega_share.ckpt is kept; the result is the same)");
    return;
  }
  std::string text = slurp(path);
  std::vector<json> recs = read_log(path);
  std::string kept;
  int64_t next = 0;  // the loop the next kept record must have
  for (const json& r : recs) {
    if (!(r.contains("loop") && r["loop"].is_number_integer() && r["loop"].get<int64_t>() < loops_done)) continue;
    const int64_t loop = r["loop"].get<int64_t>();
    if (loop != next)
      throw UserError(path + ": the log is behind the controller state (" + std::to_string(loops_done) +
                      " loops done, but the record of loop " + std::to_string(next) + " is missing" +
                      (loop > next ? "" : " or out of order") +
                      "); lost records cannot be rebuilt: move controller.ckpt and log.jsonl away to recompute "
                      "stage 2 from loop 0 (omega_share.ckpt is kept; the result is the same)");
    ++next;
    kept += r.dump() + "\n";
  }
  if (next != loops_done)
    throw UserError(path + ": the log is behind the controller state (" + std::to_string(loops_done) +
                    " loops done, records only up to loop " + std::to_string(next - 1) +
                    "); lost records cannot be rebuilt: move controller.ckpt and log.jsonl away to recompute "
                    "stage 2 from loop 0 (omega_share.ckpt is kept; the result is the same)");
  if (kept != text) atomic_write_file(path, kept);
}

}  // namespace aws
