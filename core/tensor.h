// A tensor is a typed view of memory owned elsewhere (an arena, a dataset buffer, a test vector).
// Activations are NHWC; rank <= 4 with unused leading dims; shapes are checked by op facades.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "core/device.h"
#include "core/dtype.h"
#include "core/error.h"

namespace aws {

struct Shape {
  std::array<int64_t, 4> d{1, 1, 1, 1};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) {
    AWS_ASSERT(dims.size() <= 4, "rank > 4");
    rank = int(dims.size());
    int i = 0;
    for (auto v : dims) d[i++] = v;
  }
  int64_t operator[](int i) const { return d[i]; }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= d[i];
    return n;
  }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (d[i] != o.d[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const;
};

struct Tensor {
  void* data = nullptr;
  Shape shape;
  DType dtype = DType::f32;
  Device device = Device::cpu;

  Tensor() = default;
  Tensor(void* p, Shape s, DType t, Device dev = Device::cpu) : data(p), shape(s), dtype(t), device(dev) {}

  int64_t numel() const { return shape.numel(); }
  size_t bytes() const { return size_t(numel()) * dtype_size(dtype); }
  int64_t dim(int i) const { return shape[i]; }
  int rank() const { return shape.rank; }

  float* f32() const { return static_cast<float*>(data); }
  uint8_t* u8() const { return static_cast<uint8_t*>(data); }
  int32_t* i32() const { return static_cast<int32_t*>(data); }
  template <class T> T* as() const { return static_cast<T*>(data); }
};

// Facade checks: throw an Error naming the op, the tensor and the mismatching dimension.
void check_shape(const char* op, const char* name, const Tensor& t, const Shape& want);
void check_rank(const char* op, const char* name, const Tensor& t, int rank);
void check_dtype(const char* op, const char* name, const Tensor& t, DType want);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);

}  // namespace aws
