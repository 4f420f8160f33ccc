// Model checkpoints: the model's state arena (network part, or all of it with the optimizer state for
// resuming / ω_share) plus what is needed to rebuild the model and its input pipeline (model spec,
// dataset, normalization), in the checksummed container of engine/io/checkpoint.h.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "engine/core/context.h"
#include "engine/data/dataset.h"
#include "models/model.h"

namespace aws {

struct ModelFileInfo {
  ModelSpec spec;
  std::string dataset;       // e.g. "fashion-mnist"
  Normalization norm;
  nlohmann::json extra;      // free-form (recipe, epoch, accuracy)
  size_t network_bytes = 0;  // size of the network part of the state blob
};

// Writes the whole state arena (with_optimizer) or only its network part.
void save_model_file(Ctx& ctx, const std::string& path, const Model& model, const ModelFileInfo& info,
                     bool with_optimizer);
// Reads the header only (to build the model).
ModelFileInfo read_model_file_info(const std::string& path);
// Loads the state into a committed model built from the same spec: the network part always, the
// optimizer part too when the file has it and the arena has room for exactly it.
void load_model_file(Ctx& ctx, const std::string& path, Model& model);

}  // namespace aws
