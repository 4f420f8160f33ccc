// Element types a tensor can hold.
#pragma once
#include <cstddef>
#include <cstdint>

namespace aws {

enum class DType : uint8_t { f32 = 0, bf16 = 1, f16 = 2, u8 = 3, i32 = 4, f64 = 5 };

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::bf16: return 2;
    case DType::f16: return 2;
    case DType::u8: return 1;
    case DType::i32: return 4;
    case DType::f64: return 8;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::bf16: return "bf16";
    case DType::f16: return "f16";
    case DType::u8: return "u8";
    case DType::i32: return "i32";
    case DType::f64: return "f64";
  }
  return "?";
}

}  // namespace aws
