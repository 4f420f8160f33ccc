// Constructors of the network families (resnet.cpp, wrn.cpp); create_model() in registry.cpp picks one.
#pragma once
#include <memory>

#include "models/model.h"

namespace aws {

std::unique_ptr<Model> make_resnet(Device dev, const ModelSpec& s, int64_t batch, int depth);
std::unique_ptr<Model> make_wrn(Device dev, const ModelSpec& s, int64_t batch, int depth, int k);

}  // namespace aws
