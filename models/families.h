// Constructors of the network families (resnet.cpp, resnet_bottleneck.cpp, wrn.cpp); create_model() in registry.cpp picks one.
#pragma once
#include <memory>

#include "models/model.h"

namespace aws {

std::unique_ptr<Model> make_resnet(Device dev, const ModelSpec& s, int64_t batch, int depth);
// depth 50, 101, 152 or 200 (resnet_bottleneck.cpp).
std::unique_ptr<Model> make_bottleneck_resnet(Device dev, const ModelSpec& s, int64_t batch, int depth);
std::unique_ptr<Model> make_wrn(Device dev, const ModelSpec& s, int64_t batch, int depth, int k);

}  // namespace aws
