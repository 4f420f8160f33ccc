// The checkpoint container: round trip of every dtype and shape, and every corruption (magic,
// version, sizes, truncation at every length, a flip of every byte) is a UserError naming the file.
// Atomic writes: the target is replaced whole, and a kill at each injected point (AWS_CRASH_AT)
// leaves either the old or the new file, never a torn one.
#include <doctest/doctest.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/checkpoint.h"
#include "engine/io/read_file.h"
#include "tests/support/oracle.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using aws::test::contains;
using aws::test::user_error;

namespace {

std::string slurp(const std::string& path) {
  auto b = read_file_bytes(path);
  return std::string(b.begin(), b.end());
}

CheckpointData sample(uint64_t seed) {
  std::mt19937 rng{uint32_t(seed)};
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(2 * 3 * 5);
  for (float& x : w) x = u(rng);
  std::vector<int32_t> idx = {7, -3, 1 << 30};
  std::vector<double> one = {3.25};
  CheckpointData d;
  d.kind = "model-state";
  d.meta_json = R"({"model":"resnet20","epoch":3})";
  d.blobs.push_back(Blob::of("conv1.w", DType::f32, {2, 3, 5}, w.data()));
  d.blobs.push_back(Blob::of("index", DType::i32, {3}, idx.data()));
  d.blobs.push_back(Blob::of("scalar", DType::f64, {}, one.data()));
  d.blobs.push_back(Blob::of("empty", DType::u8, {0, 4}, nullptr));
  std::vector<uint16_t> half = {1, 2, 0xffff, 4};
  d.blobs.push_back(Blob::of("half", DType::bf16, {2, 2}, half.data()));
  return d;
}

void check_equal(const CheckpointData& a, const CheckpointData& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.meta_json == b.meta_json);
  REQUIRE(a.blobs.size() == b.blobs.size());
  for (size_t i = 0; i < a.blobs.size(); ++i) {
    CHECK(a.blobs[i].name == b.blobs[i].name);
    CHECK(a.blobs[i].dtype == b.blobs[i].dtype);
    CHECK(a.blobs[i].shape == b.blobs[i].shape);
    CHECK(a.blobs[i].bytes == b.blobs[i].bytes);
  }
}

// Parses bytes that must be rejected; returns the message (which must name the file, on one line).
std::string rejected(const std::vector<uint8_t>& bytes, const std::string& name = "run/x.ckpt") {
  try {
    checkpoint_parse(bytes.data(), bytes.size(), name);
  } catch (const UserError& e) {
    std::string msg = e.what();
    CHECK(msg.rfind(name + ": ", 0) == 0);
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  }
  FAIL("corrupt checkpoint accepted");
  return "";
}

void put_u64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

}  // namespace

TEST_CASE("checkpoint: write then read gives back every blob, byte for byte") {
  uint64_t seed = aws::test::test_seed(3);
  INFO("seed ", seed);
  const test::TempDir tmp("aws_ckpt_test");
  const std::string dir = tmp.path;
  CheckpointData d = sample(seed);
  checkpoint_write(dir + "/a.ckpt", d);
  check_equal(checkpoint_read(dir + "/a.ckpt"), d);
  std::string raw = slurp(dir + "/a.ckpt");
  CHECK(raw.compare(0, 8, std::string("AWSCKPT\0", 8)) == 0);
  CHECK(test::dir_entries(dir) == std::vector<std::string>{"a.ckpt"});  // no temporary left behind
  CHECK(d.blob("index", "f").bytes.size() == 12u);
  CHECK_THROWS_WITH_AS(d.blob("nope", "f.ckpt"), doctest::Contains("f.ckpt: no blob 'nope'"), UserError);
  CheckpointData empty;
  checkpoint_write(dir + "/a.ckpt", empty);  // overwrite with the smallest valid file
  check_equal(checkpoint_read(dir + "/a.ckpt"), empty);
}

TEST_CASE("checkpoint: each corruption is named") {
  std::vector<uint8_t> good = checkpoint_serialize(sample(3));
  auto b = good;
  b[0] = 'X';
  CHECK(contains(rejected(b), "magic: not an AWS checkpoint"));
  b = good;
  b[8] = 2;
  CHECK(contains(rejected(b), "format version 2, this build reads version 1"));
  b = good;
  put_u64(b, 12, uint64_t(1) << 62);  // header_bytes far beyond the file
  CHECK(contains(rejected(b), "header needs 4611686018427387904 bytes but only"));
  // The first blob's header: kind and meta strings, count, then name, dtype, ndim, dims, nbytes.
  const CheckpointData s = sample(3);
  size_t blob0 = 20 + 4 + s.kind.size() + 8 + s.meta_json.size() + 4;
  size_t dtype_at = blob0 + 4 + s.blobs[0].name.size(), dims_at = dtype_at + 2,
         nbytes_at = dims_at + 8 * 3;
  b = good;
  b[dtype_at] = 9;
  CHECK(contains(rejected(b), "blob 'conv1.w' dtype code 9 unknown"));
  b = good;
  b[dtype_at + 1] = 200;
  CHECK(contains(rejected(b), "blob 'conv1.w' ndim 200 > 8"));
  b = good;
  put_u64(b, nbytes_at, 124);
  CHECK(contains(rejected(b), "blob 'conv1.w' nbytes 124 does not match f32[2,3,5]"));
  b = good;
  put_u64(b, dims_at, uint64_t(1) << 62);  // shape overflows: 2^62·3·5·4
  CHECK(contains(rejected(b), "blob 'conv1.w' nbytes 120 does not match f32[4611686018427387904,3,5]"));
  b = good;
  b[blob0] = 0xff, b[blob0 + 1] = 0xff;  // name length 65535 within a short header
  CHECK(contains(rejected(b), "blob 0 name needs 65535 bytes"));
  b = good;
  b[good.size() - 20] ^= 1;  // a data byte of the last blob
  CHECK(contains(rejected(b), "checksum mismatch"));
  b = good;
  b.back() ^= 0x80;  // the checksum itself
  CHECK(contains(rejected(b), "checksum mismatch"));
  b = good;
  b.insert(b.end() - 8, 0);  // one byte too many before the checksum
  CHECK(contains(rejected(b), "(extra bytes)"));
  b = good;
  b.erase(b.end() - 9);
  CHECK(contains(rejected(b), "(truncated)"));
}

TEST_CASE("checkpoint: truncation at every length and a flip of every byte are rejected") {
  std::vector<uint8_t> good = checkpoint_serialize(sample(4));
  for (size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to ", n, " of ", good.size());
    rejected(std::vector<uint8_t>(good.begin(), good.begin() + ptrdiff_t(n)));
  }
  for (size_t i = 0; i < good.size(); ++i) {
    INFO("flipped byte ", i);
    auto b = good;
    b[i] ^= uint8_t(1 + (i % 255));
    rejected(b);
  }
}

TEST_CASE("checkpoint: a missing file or directory is a user error naming the path") {
  const test::TempDir tmp("aws_ckpt_test");
  const std::string dir = tmp.path;
  CHECK_THROWS_WITH_AS(checkpoint_read(dir + "/none.ckpt"),
                       doctest::Contains(std::string(dir + "/none.ckpt: cannot open (No such file or directory)").c_str()), UserError);
  CHECK_THROWS_WITH_AS(checkpoint_write(dir + "/no/such/dir/x.ckpt", sample(1)),
                       doctest::Contains(std::string(dir + "/no/such/dir/x.ckpt: cannot create a temporary file").c_str()), UserError);
  Blob bad{"w", DType::f32, {3}, std::vector<uint8_t>(11)};
  CheckpointData d;
  d.blobs.push_back(bad);
  CHECK_THROWS_AS(checkpoint_serialize(d), Error);
}

namespace {

// Forks a child that (with AWS_CRASH_AT=spec) writes "new" to `path` twice atomically; returns how
// the child ended: the signal that killed it, or 0 after a clean exit.
int crash_child(const std::string& path, const char* spec) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("AWS_CRASH_AT", spec, 1);
    try {
      atomic_write_file(path, std::string("new1"));
      atomic_write_file(path, std::string("new2"));
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) return WTERMSIG(status);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return 0;
}

}  // namespace

TEST_CASE("atomic write: a kill at each injected point leaves the old or the new file whole") {
  struct Case {
    std::string spec;
    int signal;
    std::string content;
    size_t files;  // the target, plus a stray temporary after a kill before the rename
  } cases[] = {
      {"atomic.temp_written:1", SIGKILL, "old", 2},  {"atomic.before_rename:1", SIGKILL, "old", 2},
      {"atomic.renamed:1", SIGKILL, "new1", 1},      {"atomic.before_rename:2", SIGKILL, "new1", 2},
      {"atomic.renamed:2", SIGKILL, "new2", 1},      {"atomic.renamed:3", 0, "new2", 1},
      {"other.tag:1", 0, "new2", 1},
  };
  for (const Case& c : cases) {
    INFO("AWS_CRASH_AT=", c.spec);
    const test::TempDir tmp("aws_ckpt_test");
    const std::string dir = tmp.path, path = dir + "/state.ckpt";
    atomic_write_file(path, std::string("old"));
    CHECK(crash_child(path, c.spec.c_str()) == c.signal);
    CHECK(slurp(path) == c.content);
    CHECK(test::dir_entries(dir).size() == c.files);
  }
}

TEST_CASE("checkpoint: the header alone (checkpoint_read_header) reads what the full read reads, without the body") {
  uint64_t seed = aws::test::test_seed(5);
  INFO("seed ", seed);
  const test::TempDir tmp("aws_ckpt_header_test");
  const std::string dir = tmp.path, path = dir + "/a.ckpt", bad = dir + "/b.ckpt";
  CheckpointData d = sample(seed);
  checkpoint_write(path, d);
  const CheckpointData h = checkpoint_read_header(path);
  CHECK(h.kind == d.kind);
  CHECK(h.meta_json == d.meta_json);
  REQUIRE(h.blobs.size() == d.blobs.size());
  for (size_t i = 0; i < d.blobs.size(); ++i) {
    CHECK(h.blobs[i].name == d.blobs[i].name);
    CHECK(h.blobs[i].dtype == d.blobs[i].dtype);
    CHECK(h.blobs[i].shape == d.blobs[i].shape);
    CHECK(h.blobs[i].bytes.empty());
  }
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  auto write = [&](const std::vector<uint8_t>& b) { std::ofstream(bad, std::ios::binary).write((const char*)b.data(), std::streamsize(b.size())); };
  // A flipped body byte: the header still reads, the full read refuses the checksum.
  std::vector<uint8_t> flipped = bytes;
  flipped[flipped.size() - 9] ^= 0x40;
  write(flipped);
  CHECK(checkpoint_read_header(bad).meta_json == d.meta_json);
  CHECK_THROWS_WITH_AS(checkpoint_read(bad), doctest::Contains("checksum mismatch"), UserError);
  // Every truncation is refused naming the file (the body's length is checked against the header),
  // and so is a header size beyond the file.
  for (size_t len = 0; len < bytes.size(); ++len) {
    INFO("length ", len);
    write(std::vector<uint8_t>(bytes.begin(), bytes.begin() + std::ptrdiff_t(len)));
    CHECK_THROWS_WITH_AS(checkpoint_read_header(bad), doctest::Contains((bad + ": ").c_str()), UserError);
  }
  std::vector<uint8_t> huge = bytes;
  put_u64(huge, 12, uint64_t(1) << 60);
  write(huge);
  CHECK_THROWS_WITH_AS(checkpoint_read_header(bad), doctest::Contains((bad + ": header needs").c_str()), UserError);
  CHECK_THROWS_WITH_AS(checkpoint_read_header(dir + "/none.ckpt"), doctest::Contains("/none.ckpt: cannot open"), UserError);
}
