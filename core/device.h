// Which backend runs an op, and on which GPU. Chosen at run time (--device cpu|cuda|cuda:N), parsed
// once by parse_device and held by the configuration and the device context.
#pragma once
#include <string>

namespace aws {

enum class Device : unsigned char { cpu = 0, cuda = 1 };

inline const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

// A backend and, for cuda, the GPU's index (cudaSetDevice's numbering).
struct DeviceSpec {
  Device kind = Device::cpu;
  int gpu = 0;
  DeviceSpec(Device k = Device::cpu, int g = 0) : kind(k), gpu(g) {}  // implicit: Ctx(Device::cpu)
  bool is_cuda() const { return kind == Device::cuda; }
  // "cpu", "cuda" (GPU 0) or "cuda:N", as parse_device reads it.
  std::string str() const;
};

// Parses "cpu", "cuda" (GPU 0) or "cuda:N" (N a GPU index, 0..1023); throws UserError naming `flag`
// otherwise. Whether GPU N exists is known only when the context is made.
DeviceSpec parse_device(const std::string& s, const std::string& flag = "--device");

// True when this binary was compiled with the cuda backend (known in backend.cpp alone).
bool cuda_built();

}  // namespace aws
