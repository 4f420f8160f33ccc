// A trained model for PyTorch: its parameters and BN statistics under the state_dict names of the
// definitions in bench/torch_models.py (the same names our layers use; the oracle tests assert it),
// convolution weights permuted from our OHWI to PyTorch's OIHW, plus each BN's num_batches_tracked
// (0: we do not count steps; PyTorch reads it only with momentum=None). Written as safetensors, so
// `model.load_state_dict(safetensors.torch.load_file(path))` takes it with strict=True.
#pragma once
#include <string>
#include <vector>

#include "engine/io/safetensors.h"
#include "models/model.h"
#include "train/model_file.h"

namespace aws {

std::vector<SafeTensor> torch_state_dict(Ctx& ctx, const Model& model);

// The file, with metadata: model, dataset, input size, normalization, our build's revision.
void export_safetensors(Ctx& ctx, const Model& model, const ModelFileInfo& info, const std::string& path);

}  // namespace aws
