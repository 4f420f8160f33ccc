// Test oracles: run a Python snippet in Debian's /usr/bin/python3 (PyTorch 1.13, torchvision 0.14,
// Pillow 9.4), exchanging arrays as .npy files. The snippet reads the dict `I` (name → numpy array)
// and fills the dict `O`. A missing interpreter or module is a test failure, never a skip.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aws::test {

struct Array {
  std::vector<int64_t> shape;
  std::string dtype = "f4";     // numpy type string without byte order: f4, f8, i4, i8, u1
  std::vector<uint8_t> bytes;

  int64_t numel() const;
  template <class T> const T* as() const { return reinterpret_cast<const T*>(bytes.data()); }
  template <class T> T* as() { return reinterpret_cast<T*>(bytes.data()); }
  std::vector<float> to_f32() const;     // converts any numeric dtype
  std::vector<double> to_f64() const;
};

Array array_f32(std::vector<int64_t> shape, const float* data);
Array array_f64(std::vector<int64_t> shape, const double* data);
Array array_i32(std::vector<int64_t> shape, const int32_t* data);
Array array_u8(std::vector<int64_t> shape, const uint8_t* data);

using Arrays = std::map<std::string, Array>;

// Runs `code` with I = inputs; returns O. Throws (failing the test) with Python's stderr on error.
Arrays run_python(const std::string& code, const Arrays& inputs);

// .npy I/O (little-endian, C order), also used by benchmarks and tools.
void npy_write(const std::string& path, const Array& a);
Array npy_read(const std::string& path);

// The seed for a test's random inputs: AWS_TEST_SEED if set, else `fallback`. Print it on failure
// with INFO("seed ", seed) so a failure can be replayed.
uint64_t test_seed(uint64_t fallback);

// Relative error ‖a − b‖ / ‖b‖ and the worst element, for reporting the share of a tolerance used.
struct Compare {
  double rel = 0, max_abs = 0;
  int64_t worst = -1;
};
Compare compare(const float* a, const float* b, int64_t n);
Compare compare(const double* a, const double* b, int64_t n);

}  // namespace aws::test
