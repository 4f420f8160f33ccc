// CIFAR-10 and CIFAR-100 binary batches (the "binary version" from the CIFAR page). A record is the
// label byte(s) then 3072 pixel bytes, planar R, G, B planes of 32×32; we convert to uint8 NHWC.
//   CIFAR-10:  data_batch_1..5.bin, test_batch.bin; 3073-byte records <label 0..9>.
//   CIFAR-100: train.bin, test.bin; 3074-byte records <coarse 0..19><fine 0..99>; we keep fine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

enum class CifarKind { cifar10, cifar100 };

// Parses one batch in memory and appends its records to `out` (which must already have h = w = 32,
// c = 3 and num_classes set, as cifar_empty() returns). expect_records > 0 requires exactly that many
// records. Throws UserError "<name>: ..." on a size that is not a whole number of records, a record
// count mismatch, or a label out of range.
void cifar_parse_batch(const uint8_t* data, size_t len, const std::string& name, CifarKind kind,
                       int64_t expect_records, Dataset& out);

// An empty dataset with CIFAR geometry (32×32×3, 10 or 100 classes).
Dataset cifar_empty(CifarKind kind, const std::string& name);

// The batch file names for a split, relative to the dataset directory.
std::vector<std::string> cifar_files(CifarKind kind, bool train);

// Loads a split from `dir`. records_per_file = 0 means the official counts (CIFAR-10: 10,000 per
// file; CIFAR-100: 50,000 in train.bin, 10,000 in test.bin); tests pass their own small counts.
Dataset cifar_load(CifarKind kind, const std::string& dir, bool train, int64_t records_per_file = 0);

}  // namespace aws
