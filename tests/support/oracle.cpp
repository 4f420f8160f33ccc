#include "tests/support/oracle.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace aws::test {

static size_t dtype_bytes(const std::string& t) {
  if (t == "f4" || t == "i4") return 4;
  if (t == "f8" || t == "i8") return 8;
  if (t == "u1") return 1;
  throw std::runtime_error("npy: unsupported dtype " + t);
}

int64_t Array::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

template <class Out>
static std::vector<Out> convert(const Array& a) {
  std::vector<Out> v(size_t(a.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    if (a.dtype == "f4") v[i] = Out(a.as<float>()[i]);
    else if (a.dtype == "f8") v[i] = Out(a.as<double>()[i]);
    else if (a.dtype == "i4") v[i] = Out(a.as<int32_t>()[i]);
    else if (a.dtype == "i8") v[i] = Out(a.as<int64_t>()[i]);
    else if (a.dtype == "u1") v[i] = Out(a.as<uint8_t>()[i]);
  }
  return v;
}
std::vector<float> Array::to_f32() const { return convert<float>(*this); }
std::vector<double> Array::to_f64() const { return convert<double>(*this); }

static Array make(std::vector<int64_t> shape, const std::string& dt, const void* data) {
  Array a;
  a.shape = std::move(shape);
  a.dtype = dt;
  a.bytes.resize(size_t(a.numel()) * dtype_bytes(dt));
  if (!a.bytes.empty()) std::memcpy(a.bytes.data(), data, a.bytes.size());
  return a;
}
Array array_f32(std::vector<int64_t> s, const float* d) { return make(std::move(s), "f4", d); }
Array array_f64(std::vector<int64_t> s, const double* d) { return make(std::move(s), "f8", d); }
Array array_i32(std::vector<int64_t> s, const int32_t* d) { return make(std::move(s), "i4", d); }
Array array_u8(std::vector<int64_t> s, const uint8_t* d) { return make(std::move(s), "u1", d); }

void npy_write(const std::string& path, const Array& a) {
  std::string descr = (a.dtype == "u1" ? "|" : "<") + a.dtype;
  std::string shape = "(";
  for (auto d : a.shape) shape += std::to_string(d) + ",";
  shape += ")";
  std::string hdr = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + hdr.size() + 1;
  hdr.append((64 - total % 64) % 64, ' ');
  hdr += '\n';
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = uint16_t(hdr.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f.write(hdr.data(), std::streamsize(hdr.size()));
  f.write(reinterpret_cast<const char*>(a.bytes.data()), std::streamsize(a.bytes.size()));
  if (!f) throw std::runtime_error("npy: cannot write " + path);
}

Array npy_read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("npy: cannot open " + path);
  char magic[8];
  f.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error("npy: bad magic in " + path);
  uint32_t len = 0;
  if (magic[6] == 1) {
    uint16_t l16;
    f.read(reinterpret_cast<char*>(&l16), 2);
    len = l16;
  } else {
    f.read(reinterpret_cast<char*>(&len), 4);
  }
  std::string hdr(len, ' ');
  f.read(hdr.data(), len);
  Array a;
  auto d = hdr.find("'descr':");
  auto q1 = hdr.find('\'', d + 8), q2 = hdr.find('\'', q1 + 1);
  std::string descr = hdr.substr(q1 + 1, q2 - q1 - 1);
  if (descr[0] == '>') throw std::runtime_error("npy: big-endian array in " + path);
  a.dtype = descr.substr(1);
  if (a.dtype == "b1") a.dtype = "u1";
  if (hdr.find("'fortran_order': True") != std::string::npos)
    throw std::runtime_error("npy: fortran order in " + path);
  auto s = hdr.find("'shape':");
  auto p1 = hdr.find('(', s), p2 = hdr.find(')', p1);
  std::stringstream ss(hdr.substr(p1 + 1, p2 - p1 - 1));
  std::string tok;
  while (std::getline(ss, tok, ','))
    if (tok.find_first_not_of(' ') != std::string::npos) a.shape.push_back(std::stoll(tok));
  a.bytes.resize(size_t(a.numel()) * dtype_bytes(a.dtype));
  f.read(reinterpret_cast<char*>(a.bytes.data()), std::streamsize(a.bytes.size()));
  if (!f) throw std::runtime_error("npy: truncated " + path);
  return a;
}

static const char* kPrelude = R"PY(
import sys, os, glob
import numpy as np
_d = sys.argv[1]
I = {os.path.basename(p)[:-4]: np.load(p) for p in glob.glob(os.path.join(_d, 'in', '*.npy'))}
O = {}
)PY";

static const char* kEpilogue = R"PY(
for _k, _v in O.items():
    _v = np.ascontiguousarray(np.asarray(_v))
    if _v.dtype == np.bool_: _v = _v.astype(np.uint8)
    if _v.dtype == np.int64: _v = _v.astype(np.int64)
    np.save(os.path.join(_d, 'out', _k + '.npy'), _v)
)PY";

Arrays run_python(const std::string& code, const Arrays& inputs) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("aws-oracle-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir / "in");
  fs::create_directories(dir / "out");
  for (auto& [k, v] : inputs) npy_write((dir / "in" / (k + ".npy")).string(), v);
  {
    std::ofstream s(dir / "script.py");
    s << kPrelude << code << "\n" << kEpilogue;
  }
  std::string cmd = "/usr/bin/python3 " + (dir / "script.py").string() + " " + dir.string() + " 2> " +
                    (dir / "stderr.txt").string();
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::ifstream e(dir / "stderr.txt");
    std::stringstream ss;
    ss << e.rdbuf();
    throw std::runtime_error("oracle (/usr/bin/python3) failed with code " + std::to_string(rc) +
                             "; install python3-torch python3-torchvision python3-pil:\n" + ss.str());
  }
  Arrays out;
  for (auto& e : fs::directory_iterator(dir / "out")) {
    auto name = e.path().stem().string();
    out[name] = npy_read(e.path().string());
  }
  fs::remove_all(dir);
  return out;
}

uint64_t test_seed(uint64_t fallback) {
  if (const char* s = std::getenv("AWS_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return fallback;
}

template <class T>
static Compare compare_t(const T* a, const T* b, int64_t n) {
  Compare c;
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = double(a[i]) - double(b[i]);
    if (std::isnan(d)) {
      c.rel = INFINITY;
      c.worst = i;
      return c;
    }
    num += d * d;
    den += double(b[i]) * double(b[i]);
    if (std::fabs(d) > c.max_abs) {
      c.max_abs = std::fabs(d);
      c.worst = i;
    }
  }
  c.rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  return c;
}
Compare compare(const float* a, const float* b, int64_t n) { return compare_t(a, b, n); }
Compare compare(const double* a, const double* b, int64_t n) { return compare_t(a, b, n); }

}  // namespace aws::test
