// Model names → constructors. Names: resnet18, resnet20, resnet32 (CIFAR stem, basic blocks),
// resnet50, resnet101, resnet152, resnet200 (ImageNet stem, bottlenecks), wrn-D-K with (D − 4) % 6 == 0.
#include <cstdio>

#include "core/error.h"
#include "core/strprintf.h"
#include "models/families.h"

namespace aws {

std::vector<std::string> model_names() { return {"resnet18", "resnet20", "resnet32", "resnet50", "resnet101", "resnet152", "resnet200",
                                                  "wrn-28-10", "wrn-40-2"}; }

std::unique_ptr<Model> create_model(const ModelSpec& spec, int64_t batch, Device dev, const std::string& flag) {
  if (batch <= 0) throw UserError("batch size must be positive, got " + std::to_string(batch));
  if (spec.h < 8 || spec.w < 8 || (spec.c != 1 && spec.c != 3))
    throw UserError(flag + ": input " + std::to_string(spec.h) + "x" + std::to_string(spec.w) + "x" +
                    std::to_string(spec.c) + " not supported (need >= 8x8, 1 or 3 channels)");
  const std::string& n = spec.name;
  const bool bottleneck = n == "resnet50" || n == "resnet101" || n == "resnet152" || n == "resnet200";
  if (spec.zero_init_residual && !bottleneck)
    throw UserError("--zero-init-residual: model '" + n + "' has no bottleneck blocks (resnet50 and deeper)");
  if (n == "resnet18") return make_resnet(dev, spec, batch, 18);
  if (n == "resnet20") return make_resnet(dev, spec, batch, 20);
  if (n == "resnet32") return make_resnet(dev, spec, batch, 32);
  for (int depth : {50, 101, 152, 200})
    if (n == "resnet" + std::to_string(depth)) return make_bottleneck_resnet(dev, spec, batch, depth);
  int d = 0, k = 0;
  char tail = 0;
  if (std::sscanf(n.c_str(), "wrn-%d-%d%c", &d, &k, &tail) == 2 && d >= 10 && (d - 4) % 6 == 0 && k >= 1 && k <= 16)
    return make_wrn(dev, spec, batch, d, k);
  throw UserError(flag + ": unknown model '" + n + "' (known: " + join(model_names(), ", ") +
                  ", or wrn-D-K with (D-4)%6==0)");
}

}  // namespace aws
