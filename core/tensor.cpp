#include "core/tensor.h"

namespace aws {

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank; ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

void check_shape(const char* op, const char* name, const Tensor& t, const Shape& want) {
  if (t.shape.rank != want.rank)
    throw Error(std::string(op) + ": " + name + " has rank " + std::to_string(t.shape.rank) +
                ", expected " + std::to_string(want.rank) + " " + want.str());
  for (int i = 0; i < want.rank; ++i)
    if (t.shape[i] != want[i])
      throw Error(std::string(op) + ": " + name + " dim " + std::to_string(i) + " is " +
                  std::to_string(t.shape[i]) + ", expected " + std::to_string(want[i]) + " (shape " +
                  t.shape.str() + " vs " + want.str() + ")");
}

void check_rank(const char* op, const char* name, const Tensor& t, int rank) {
  if (t.shape.rank != rank)
    throw Error(std::string(op) + ": " + name + " has rank " + std::to_string(t.shape.rank) +
                ", expected " + std::to_string(rank));
}

void check_dtype(const char* op, const char* name, const Tensor& t, DType want) {
  if (t.dtype != want)
    throw Error(std::string(op) + ": " + name + " is " + dtype_name(t.dtype) + ", expected " +
                dtype_name(want));
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  if (a.device != b.device)
    throw Error(std::string(op) + ": tensors on different devices (" + device_name(a.device) + " vs " +
                device_name(b.device) + ")");
}

}  // namespace aws
