// libFuzzer target for the CIFAR-10/100 batch parser. The input is
//   u8 mode (bit 0: CIFAR-100; bits 1..7: expected record count, 0 = any) | the batch bytes.
// Bad input must end in a UserError that leaves the dataset unchanged.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "engine/data/cifar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const aws::CifarKind kind = (data[0] & 1) ? aws::CifarKind::cifar100 : aws::CifarKind::cifar10;
  const int64_t expect = data[0] >> 1;
  aws::Dataset d = aws::cifar_empty(kind, "fuzz");
  try {
    aws::cifar_parse_batch(data + 1, size - 1, "batch", kind, expect, d);
    if (d.images.size() != size_t(d.n) * 3072 || d.labels.size() != size_t(d.n)) __builtin_trap();
    for (int32_t y : d.labels)
      if (y < 0 || y >= d.num_classes) __builtin_trap();
  } catch (const aws::UserError&) {
    if (d.n != 0 || !d.images.empty() || !d.labels.empty()) __builtin_trap();
  }
  return 0;
}
