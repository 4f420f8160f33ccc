// Which backend runs an op. Chosen at run time (--device cpu|cuda).
#pragma once
#include <string>

namespace aws {

enum class Device : unsigned char { cpu = 0, cuda = 1 };

inline const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

// Parses "cpu" / "cuda"; throws UserError naming `flag` otherwise.
Device parse_device(const std::string& s, const std::string& flag = "--device");

// True when this binary was compiled with the cuda backend (known in backend.cpp alone).
bool cuda_built();

}  // namespace aws
