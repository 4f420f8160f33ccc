// Per-channel normalization statistics of a training split: mean and (population) standard
// deviation of pixel/255 over the given images, as the augmentation pipeline's last step uses them.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

// Statistics over the images `indices` of `d` (c ≤ 3). The sums are exact (integers), the division
// in double. Throws UserError on an empty list or an index outside the dataset.
Normalization compute_normalization(const Dataset& d, const std::vector<int32_t>& indices);

}  // namespace aws
