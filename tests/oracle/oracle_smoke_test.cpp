// The oracle itself: PyTorch must import in /usr/bin/python3 and arrays must round-trip.
#include <doctest/doctest.h>

#include "tests/support/oracle.h"

using namespace aws::test;

TEST_CASE("oracle: torch and PIL import and arrays round-trip through .npy") {
  float v[6] = {1, 2, 3, 4, 5, 6.5f};
  Arrays in{{"x", array_f32({2, 3}, v)}};
  auto out = run_python("import torch, PIL, torchvision\nO['y'] = (torch.from_numpy(I['x']) * 2).numpy()\n", in);
  REQUIRE(out.count("y") == 1);
  auto y = out["y"].to_f32();
  REQUIRE(out["y"].shape == std::vector<int64_t>{2, 3});
  for (int i = 0; i < 6; ++i) CHECK(y[i] == doctest::Approx(2 * v[i]));
}
