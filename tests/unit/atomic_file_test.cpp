// The atomic writer's refusals and failure paths (engine/io/atomic_file.h): only regular files or
// new paths are written (a FIFO, directory, device node or symbolic link is refused, the thing left
// as it was), a stray "<name>.tmp" of the user's is never touched (unique temp names), and a full
// disk (a 64 KiB tmpfs; skipped with a message where mount is refused) leaves the old file whole and
// no temporary file behind.
#include <doctest/doctest.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "augment/builtin_policies.h"
#include "augment/policy.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using aws::test::contains;
using aws::test::user_error;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("atomic write: only regular files or new paths; links, FIFOs, directories, devices refused") {
  const test::TempDir tmp("aws_atomic_test");
  const std::string dir = tmp.path;
  const std::string fifo = dir + "/fifo", sub = dir + "/sub", target = dir + "/target", link = dir + "/link";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE(::mkdir(sub.c_str(), 0700) == 0);
  atomic_write_file(target, std::string("kept"));
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);

  CHECK(user_error([&] { atomic_write_file(fifo, std::string("x")); }) ==
        fifo + ": is a FIFO; aws writes only regular files or new paths");
  CHECK(user_error([&] { atomic_write_file(sub, std::string("x")); }) ==
        sub + ": is a directory; aws writes only regular files or new paths");
  CHECK(user_error([&] { atomic_write_file(link, std::string("x")); }) ==
        link + ": is a symbolic link (aws does not write through links; give the real path); aws writes only "
               "regular files or new paths");
  // The link still points at the untouched target; the FIFO is still a FIFO.
  struct stat st;
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(slurp(target) == "kept");
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  // A character device (the /dev/null case) made here, where we may: root only.
  const std::string dev = dir + "/null";
  if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    CHECK(user_error([&] { atomic_write_file(dev, std::string("x")); }) ==
          dev + ": is a character device; aws writes only regular files or new paths");
    REQUIRE(::lstat(dev.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  } else {
    MESSAGE("mknod refused (not root): the character-device case is skipped");
  }
  // The policy writer goes through the same writer.
  CHECK(user_error([&] { write_policy_json(fifo, builtin_policy("uniform")); }) ==
        fifo + ": is a FIFO; aws writes only regular files or new paths");
  // No temporary file was left by any refusal.
  std::vector<std::string> want{"fifo", "link", "sub", "target"};
  if (::access(dev.c_str(), F_OK) == 0) want.insert(want.begin() + 2, "null");
  CHECK(test::dir_entries(dir) == want);
}

TEST_CASE("atomic write: a user's <name>.tmp is not touched (the temporary name is unique)") {
  const test::TempDir tmp("aws_atomic_test");
  const std::string dir = tmp.path, path = dir + "/policy.json";
  atomic_write_file(path + ".tmp", std::string("the user's own file"));
  write_policy_json(path, builtin_policy("uniform"));
  CHECK(slurp(path + ".tmp") == "the user's own file");
  CHECK(slurp(path) == policy_to_json(builtin_policy("uniform")));
  CHECK(test::dir_entries(dir) == std::vector<std::string>{"policy.json", "policy.json.tmp"});
}

TEST_CASE("atomic write: a full disk leaves the old file whole and no temporary file") {
  const test::TempDir tmp("aws_atomic_test");
  const std::string dir = tmp.path, mnt = dir + "/small";
  REQUIRE(::mkdir(mnt.c_str(), 0700) == 0);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
    MESSAGE("mount of a 64 KiB tmpfs refused (" << std::strerror(errno) << "): the disk-full case is skipped");
    return;
  }
  struct Unmount {
    std::string at;
    ~Unmount() { ::umount(at.c_str()); }
  } unmount{mnt};
  const std::string path = mnt + "/out.bin";
  atomic_write_file(path, std::string("old contents"));
  std::string big(256 * 1024, '\0');
  std::mt19937 rng{11};
  for (char& c : big) c = char(rng());
  std::string msg = user_error([&] { atomic_write_file(path, big); });
  CHECK(msg == path + ": write failed (No space left on device)");
  CHECK(slurp(path) == "old contents");
  CHECK(test::dir_entries(mnt) == std::vector<std::string>{"out.bin"});
  // The policy writer too (a uniform policy file is > 30 KB; 14 of the 16 pages are filled first).
  atomic_write_file(mnt + "/filler", big.substr(0, 56 * 1024));
  const std::string pol = mnt + "/policy.json";
  Policy p = builtin_policy("uniform");
  CHECK(user_error([&] { write_policy_json(pol, p); }).find(pol + ": write failed (No space left on device)") == 0);
  CHECK(test::dir_entries(mnt) == std::vector<std::string>{"filler", "out.bin"});
}
