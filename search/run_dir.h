// The run directory of a search: what is in it and how each piece is written and read back.
//   config.json         the resolved SearchConfig (search_config.h)
//   split.ckpt          D_tr / D_val index lists (engine/data/split.h)
//   stage1.ckpt         the state arena after each stage-1 epoch (+ epoch, LR iteration), until
//                       omega_share.ckpt replaces it
//   omega_share.ckpt    the state arena after stage 1: weights, BN statistics, SGD momentum
//   controller.ckpt     the controller's exact bytes + the number of completed loops + last reward
//   log.jsonl           one record per completed loop
//   policy.json, policy-last.json, report.html
//   lock                flock'ed while a search runs in it; holds the holder's PID
// Every file is written atomically; a reader rejects a corrupt file with a UserError naming it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/controller.h"
#include "search/search_config.h"

namespace aws {

struct RunDir {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string split() const { return dir + "/split.ckpt"; }
  std::string stage1() const { return dir + "/stage1.ckpt"; }
  std::string omega_share() const { return dir + "/omega_share.ckpt"; }
  std::string lock() const { return dir + "/lock"; }
  std::string controller() const { return dir + "/controller.ckpt"; }
  std::string log() const { return dir + "/log.jsonl"; }
  std::string policy() const { return dir + "/policy.json"; }
  std::string policy_last() const { return dir + "/policy-last.json"; }
  std::string report() const { return dir + "/report.html"; }
};

bool file_exists(const std::string& path);

// Refuses (UserError) a --run target that is not a directory, or a non-empty directory without a
// config.json (a user's folder, "/"): a search never writes into a folder that is not its own.
// Writes nothing.
void check_run_dir_target(const RunDir& rd);

// An exclusive flock on <dir>/lock for the lifetime of the object, with this process's PID written
// into the file; a second holder gets UserError naming the first one's PID. Creates the directory.
class RunDirLock {
 public:
  explicit RunDirLock(const RunDir& rd);
  ~RunDirLock();
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;

 private:
  int fd_ = -1;
};

// Writes config.json, or, when it exists, checks that the stored config has the same semantic fields
// (otherwise UserError "<file>: the run directory was made by another configuration: f1: a -> b; ...")
// and the same data fingerprint and cpu thread count (resume_mismatch). A stored file that lacks the
// fingerprint or the thread count (an older run directory) is rewritten with them; the returned line
// says so (empty otherwise).
std::string run_dir_open(const RunDir& rd, const SearchConfig& cfg);

// Reads config.json strictly.
SearchConfig read_search_config(const std::string& path);

struct ControllerState {
  Controller controller;
  int64_t loops_done = 0;    // completed loops (each one PPO update)
  double last_reward = 0;    // mean reward of the last completed loop
  std::string digest;        // config digest of the run that wrote it
};

void write_controller_state(const std::string& path, const ControllerState& s);
// UserError naming the file when it is corrupt, of another kind, or inconsistent.
ControllerState read_controller_state(const std::string& path);

// The log's complete records (a torn last line is dropped). Bad JSON elsewhere → UserError.
std::vector<nlohmann::json> read_log(const std::string& path);
// Keeps only the records with "loop" < loops_done (a crash may leave one beyond the saved state),
// rewriting the file atomically when something is dropped. Then the log must hold loops 0 ..
// loops_done-1 in order: a log behind the controller state (records lost, e.g. a power cut before
// the log reached the disk on an older build) is refused with UserError saying which loops are
// missing and how to recompute them; lost records cannot be rebuilt.
void truncate_log(const std::string& path, int64_t loops_done);

}  // namespace aws
