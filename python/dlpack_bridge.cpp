// DLPack import/export for awsaug (see dlpack_bridge.h). The protocol: a producer's __dlpack__ returns
// a capsule named "dltensor"; the consumer renames it "used_dltensor" and calls the managed tensor's
// deleter when done. Our own capsules follow the same rules the other way round.
#include "python/dlpack_bridge.h"

#include <Python.h>

#include <optional>
#include <stdexcept>

#include "core/error.h"
#include "engine/runtime/memory.h"

namespace aws::py {

namespace {

const char* dtype_text(DLDataType t) {
  static thread_local std::string s;
  const char* kind = t.code == kDLUInt ? "uint" : t.code == kDLInt ? "int" : t.code == kDLFloat ? "float" : "other";
  s = std::string(kind) + std::to_string(int(t.bits));
  if (t.lanes != 1) s += "x" + std::to_string(int(t.lanes));
  return s.c_str();
}

std::optional<DType> our_dtype(DLDataType t) {
  if (t.lanes != 1) return std::nullopt;
  if (t.code == kDLUInt && t.bits == 8) return DType::u8;
  if (t.code == kDLInt && t.bits == 32) return DType::i32;
  if (t.code == kDLFloat && t.bits == 32) return DType::f32;
  return std::nullopt;
}

// NumPy's and torch's name of our element types.
std::string dtype_python_name(DType d) { return d == DType::u8 ? "uint8" : d == DType::i32 ? "int32" : "float32"; }

DLDataType dl_dtype(DType t) {
  switch (t) {
    case DType::u8: return DLDataType{kDLUInt, 8, 1};
    case DType::i32: return DLDataType{kDLInt, 32, 1};
    case DType::f32: return DLDataType{kDLFloat, 32, 1};
    default: throw Error(std::string("awsaug: cannot export dtype ") + dtype_name(t));
  }
}

// Our capsule's managed tensor: the view's shape and strides live beside the buffer reference.
struct Exported {
  DLManagedTensor m{};
  std::shared_ptr<OwnedBuffer> buffer;
  std::vector<int64_t> shape, strides;
};

void exported_deleter(DLManagedTensor* m) { delete static_cast<Exported*>(m->manager_ctx); }

// A capsule nobody consumed still owns its tensor.
void capsule_destructor(PyObject* cap) {
  if (!PyCapsule_IsValid(cap, "dltensor")) return;  // consumed: renamed "used_dltensor", the consumer frees
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, "dltensor"));
  if (m && m->deleter) m->deleter(m);
}

}  // namespace

BorrowedTensor::~BorrowedTensor() {
  if (m_ && m_->deleter) m_->deleter(m_);
}

OwnedBuffer::OwnedBuffer(Device dev, size_t bytes)
    : dev_(dev), bytes_(bytes), p_(mem_alloc(dev, bytes > 0 ? bytes : 1)) {}

OwnedBuffer::~OwnedBuffer() {
  try {
    mem_free(dev_, p_);
  } catch (const std::exception&) {  // a sticky CUDA error: the first error was reported already
  }
}

std::unique_ptr<BorrowedTensor> borrow(pyb::handle obj, const TensorRule& rule, intptr_t cuda_stream) {
  const std::string what = rule.what;
  if (!pyb::hasattr(obj, "__dlpack__") || !pyb::hasattr(obj, "__dlpack_device__"))
    throw pyb::type_error("awsaug: " + what + " must be a tensor with __dlpack__ (torch, NumPy, CuPy), got " +
                          std::string(pyb::str(pyb::type::handle_of(obj).attr("__name__"))));
  std::pair<int, int> dev;
  try {
    dev = obj.attr("__dlpack_device__")().cast<std::pair<int, int>>();
  } catch (const pyb::cast_error&) {
    throw pyb::type_error("awsaug: " + what + ".__dlpack_device__() did not return (device type, device id)");
  }
  if (dev.first != kDLCPU && dev.first != kDLCUDA)
    throw pyb::value_error("awsaug: " + what + " is on DLPack device type " + std::to_string(dev.first) +
                           "; cpu (1) and CUDA (2) are supported");
  const bool cuda = dev.first == kDLCUDA;
  pyb::object cap = cuda ? obj.attr("__dlpack__")(pyb::arg("stream") = cuda_stream) : obj.attr("__dlpack__")();
  PyObject* c = cap.ptr();
  if (!PyCapsule_IsValid(c, "dltensor")) throw pyb::value_error("awsaug: " + what + ".__dlpack__() gave no dltensor");
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, "dltensor"));
  PyCapsule_SetName(c, "used_dltensor");  // ours now: the BorrowedTensor calls its deleter
  auto owner = std::make_unique<BorrowedTensor>(m, Tensor(), dev.second);
  const DLTensor& t = m->dl_tensor;
  if (int(t.device.device_type) != dev.first || t.device.device_id != dev.second)
    throw pyb::value_error("awsaug: " + what + ".__dlpack__() gave a tensor on another device than " + what +
                           ".__dlpack_device__() names");
  const std::optional<DType> dt = our_dtype(t.dtype);
  bool ok_dtype = false;
  std::string want;
  for (DType d : rule.dtypes) {
    ok_dtype |= dt && *dt == d;
    want += (want.empty() ? "" : " or ") + dtype_python_name(d);
  }
  if (!ok_dtype) throw pyb::type_error("awsaug: " + what + " is " + dtype_text(t.dtype) + ", expected " + want);
  if (t.ndim != rule.rank)
    throw pyb::value_error("awsaug: " + what + " has " + std::to_string(t.ndim) + " dimensions, expected " +
                           std::to_string(rule.rank));
  Shape s;
  s.rank = t.ndim;
  for (int i = 0; i < t.ndim; ++i) {
    if (t.shape[i] < 0) throw pyb::value_error("awsaug: " + what + " has a negative dimension");
    s.d[size_t(i)] = t.shape[i];
  }
  if (t.strides) {  // must be compact row-major (strides of size-1 dimensions do not matter)
    int64_t expect = 1;
    for (int i = t.ndim - 1; i >= 0; --i) {
      if (t.shape[i] != 1 && t.strides[i] != expect)
        throw pyb::value_error("awsaug: " + what + " is not contiguous (row-major " +
                               std::string(rule.rank == 4 ? "NHWC" : "") +
                               " expected; call .contiguous() or numpy.ascontiguousarray first)");
      expect *= t.shape[i];
    }
  }
  owner->tensor() = Tensor(static_cast<uint8_t*>(t.data) + t.byte_offset, s, *dt, cuda ? Device::cuda : Device::cpu);
  return owner;
}

pyb::capsule to_capsule(const ExportView& v) {
  const DLDataType dtype = dl_dtype(v.dtype);  // before anything is owned: it may throw
  auto* e = new Exported;
  e->buffer = v.buffer;
  e->shape = v.shape;
  e->strides = v.strides;
  e->m.manager_ctx = e;
  e->m.deleter = exported_deleter;
  DLTensor& t = e->m.dl_tensor;
  t.data = v.buffer->data();
  t.device = v.buffer->device() == Device::cuda ? DLDevice{kDLCUDA, v.gpu} : DLDevice{kDLCPU, 0};
  t.ndim = int32_t(e->shape.size());
  t.dtype = dtype;
  t.shape = e->shape.data();
  t.strides = e->strides.data();
  t.byte_offset = 0;
  PyObject* cap = PyCapsule_New(&e->m, "dltensor", capsule_destructor);
  if (!cap) {
    delete e;
    throw pyb::error_already_set();
  }
  return pyb::reinterpret_steal<pyb::capsule>(cap);
}

}  // namespace aws::py
