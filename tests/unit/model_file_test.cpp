// Model files are validated on their contents, not only their bytes (train/model_file.h): each
// checksum-valid but wrong file below (std <= 0, non-finite numbers, non-integer sizes, NaN weights,
// a duplicate blob, a short state blob, a network-only file where resuming needs optimizer state) is
// a UserError naming the file and the field; a good file loads.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "engine/io/checkpoint.h"
#include "engine/optim/sgd.h"
#include "models/model.h"
#include "train/model_file.h"
#include "tests/support/test_data.h"
#include "tests/support/user_error.h"

using namespace aws;
using aws::test::contains;
using aws::test::user_error;

namespace {

// A committed resnet20 with (or without) SGD momentum state in its arena.
struct Net {
  Ctx ctx{Device::cpu};
  std::unique_ptr<Model> model;
  Sgd sgd{SgdConfig{0.9f, true, 5e-4f}};
  Net(bool with_optimizer, uint64_t seed) {
    ModelSpec spec;
    model = create_model(spec, 2, Device::cpu);
    if (with_optimizer) sgd.declare_state(model->state, model->params);
    model->commit(ctx);
    model->init_params(ctx, seed);
  }
};

// Rewrites a model file through `edit` (meta JSON and blobs); the checksum is valid again after.
void rewrite(const std::string& from, const std::string& to,
             const std::function<void(nlohmann::json&, CheckpointData&)>& edit) {
  CheckpointData d = checkpoint_read(from);
  auto meta = nlohmann::json::parse(d.meta_json);
  edit(meta, d);
  d.meta_json = meta.dump();
  checkpoint_write(to, d);
}

}  // namespace

TEST_CASE("model file: checksum-valid files with wrong contents are refused, naming file and field") {
  const test::TempDir tmp("aws_model_file_test");
  const std::string dir = tmp.path, net = dir + "/net.ckpt", full = dir + "/full.ckpt", bad = dir + "/bad.ckpt";
  Net a(true, 1);
  ModelFileInfo info;
  info.dataset = "fashion-mnist";
  info.norm.mean[0] = 0.3f;
  info.norm.std[0] = 0.4f;
  save_model_file(a.ctx, net, *a.model, info, false);
  save_model_file(a.ctx, full, *a.model, info, true);
  const size_t nb = a.model->network_state_bytes(), all = a.model->state.bytes();
  REQUIRE(all > nb);

  auto meta_case = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& want) {
    rewrite(net, bad, [&](nlohmann::json& m, CheckpointData&) { edit(m); });
    INFO(want);
    CHECK(user_error([&] { read_model_file_info(bad); }) == bad + ": " + want);
  };
  meta_case([](auto& m) { m["std"][0] = 0.0; }, "meta.std[0]: normalization std must be > 0, got 0.0");
  meta_case([](auto& m) { m["std"][2] = -1.5; }, "meta.std[2]: normalization std must be > 0, got -1.5");
  meta_case([](auto& m) { m["std"][1] = 1e300; }, "meta.std[1]: not a finite float: 1e+300");
  meta_case([](auto& m) { m["mean"][0] = nullptr; }, "meta.mean[0]: must be a number, got null");
  meta_case([](auto& m) { m["network_bytes"] = 1.5; }, "meta.network_bytes: must be an integer, got 1.5");
  meta_case([](auto& m) { m["network_bytes"] = -4; }, "meta.network_bytes: -4 out of range [1, 9223372036854775807]");
  meta_case([](auto& m) { m["h"] = 28.5; }, "meta.h: must be an integer, got 28.5");
  meta_case([](auto& m) { m["c"] = 4; }, "meta.c: 4 out of range [1, 3]");
  meta_case([](auto& m) { m.erase("classes"); }, "meta.classes: missing");
  meta_case([](auto& m) { m["model"] = 20; }, "meta.model: must be a string, got 20");

  // NaN and Inf in the network part of the state.
  for (float v : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
    rewrite(net, bad, [&](nlohmann::json&, CheckpointData& d) { std::memcpy(d.blobs[0].bytes.data() + 64, &v, 4); });
    Net b(false, 2);
    std::string msg = user_error([&] { load_model_file(b.ctx, bad, *b.model); });
    CHECK(msg.find(bad + ": state: non-finite weight (") == 0);
    CHECK(msg.find(") at byte 64 of the network part") != std::string::npos);
  }
  // A duplicate blob (the container refuses it).
  rewrite(net, bad, [&](nlohmann::json&, CheckpointData& d) { d.blobs.push_back(d.blobs[0]); });
  CHECK(user_error([&] { read_model_file_info(bad); }) == bad + ": blob 1 name 'state': duplicate blob");
  // A short state blob: the message gives both numbers (they used to be the same number twice).
  rewrite(net, bad, [&](nlohmann::json&, CheckpointData& d) {
    d.blobs[0].bytes.resize(nb - 4);
    d.blobs[0].shape = {int64_t(nb - 4)};
  });
  {
    Net b(false, 2);
    CHECK(user_error([&] { load_model_file(b.ctx, bad, *b.model); }) ==
          bad + ": state: holds " + std::to_string(nb - 4) + " bytes, fewer than the " + std::to_string(nb) +
              " network bytes of model 'resnet20'");
  }
  // Resuming needs optimizer state: a network-only file is refused when it is required.
  {
    Net b(true, 3);
    CHECK(user_error([&] { load_model_file(b.ctx, net, *b.model, OptimizerState::required); }) ==
          net + ": state: holds " + std::to_string(nb) +
              " bytes, only the network part, without optimizer state; resuming needs the whole state (" +
              std::to_string(all) + " bytes)");
    load_model_file(b.ctx, full, *b.model, OptimizerState::required);  // the whole arena: accepted
    load_model_file(b.ctx, net, *b.model);                             // if_present: the network part
  }
  // A full file evaluates in a model without optimizer state (network part only).
  {
    Net b(false, 4);
    load_model_file(b.ctx, full, *b.model);
    std::vector<uint8_t> got(nb), want(nb);
    std::memcpy(got.data(), b.model->state.base(), nb);
    std::memcpy(want.data(), a.model->state.base(), nb);
    CHECK(got == want);
  }
}
