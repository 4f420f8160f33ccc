// Model checkpoints: the model's state arena (network part, or all of it with the optimizer state for
// resuming / ω_share) plus what is needed to rebuild the model and its input pipeline (model spec,
// dataset, normalization), in the checksummed container of engine/io/checkpoint.h. Reads validate the
// contents, not only the bytes: meta fields of the right type (integers are integers), a finite
// normalization with std > 0, finite network weights, a state blob of exactly the network part or
// the whole arena; anything else is a UserError naming the file and field.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/context.h"
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
// Whether load_model_file may accept a file holding only the network part.
enum class OptimizerState {
  if_present,  // evaluation, fine-tuning from weights: the network part is enough
  required,    // resuming training (ω_share): the file must hold the whole arena, optimizer included
};

// Loads the state into a committed model built from the same spec: the network part always, the
// optimizer part too when the file has it (its blob is then exactly model.state.bytes()). With
// OptimizerState::required a network-only file is refused: "<path>: state: holds only the network
// part (N bytes) without optimizer state; resuming needs the whole state (M bytes)".
void load_model_file(Ctx& ctx, const std::string& path, Model& model,
                     OptimizerState optimizer = OptimizerState::if_present);

}  // namespace aws
