// DLPack in and out for the awsaug module. In: any object with __dlpack__ (torch, NumPy, CuPy) seen as
// one of our Tensors without a copy, for as long as the BorrowedTensor lives. Out: a buffer we own,
// handed to a consumer (torch.from_dlpack, numpy.from_dlpack) as a capsule, possibly with strides
// (an NHWC buffer seen as NCHW, like torch's channels_last).
#pragma once
#include <dlpack/dlpack.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace aws::py {

namespace pyb = pybind11;

// A producer's tensor, borrowed: its deleter runs when this is destroyed.
class BorrowedTensor {
 public:
  BorrowedTensor(DLManagedTensor* m, Tensor t, int device_id) : m_(m), t_(t), device_id_(device_id) {}
  ~BorrowedTensor();
  BorrowedTensor(const BorrowedTensor&) = delete;
  BorrowedTensor& operator=(const BorrowedTensor&) = delete;
  const Tensor& tensor() const { return t_; }
  Tensor& tensor() { return t_; }
  int device_id() const { return device_id_; }

 private:
  DLManagedTensor* m_;
  Tensor t_;
  int device_id_;
};

// What a borrowed tensor must be; a mismatch is a ValueError naming `what` (e.g. "images").
struct TensorRule {
  const char* what;
  std::vector<DType> dtypes;  // accepted element types
  int rank;                   // required number of dimensions
};

// Calls obj.__dlpack__ and checks the result against `rule`: dtype, rank, a C-contiguous layout
// (compact row-major strides or none), a cpu or CUDA device. A CUDA producer is passed
// `cuda_stream` (DLPack's convention: 1 = the legacy default stream), on which it makes the data ready.
std::unique_ptr<BorrowedTensor> borrow(pyb::handle obj, const TensorRule& rule, intptr_t cuda_stream);

// Memory we own and lend to consumers (engine/runtime/memory.h: host, or the current GPU's).
class OwnedBuffer {
 public:
  OwnedBuffer(Device dev, size_t bytes);
  ~OwnedBuffer();
  OwnedBuffer(const OwnedBuffer&) = delete;
  OwnedBuffer& operator=(const OwnedBuffer&) = delete;
  void* data() const { return p_; }
  Device device() const { return dev_; }
  size_t bytes() const { return bytes_; }

 private:
  Device dev_;
  size_t bytes_;
  void* p_;
};

// A view of an OwnedBuffer for DLPack: shape and strides in elements; gpu: the CUDA device's index.
struct ExportView {
  std::shared_ptr<OwnedBuffer> buffer;
  DType dtype;
  std::vector<int64_t> shape, strides;
  int gpu = 0;
};

// A "dltensor" capsule over `v` (the buffer stays alive until the consumer's deleter runs).
pyb::capsule to_capsule(const ExportView& v);

}  // namespace aws::py
