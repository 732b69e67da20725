// tests/core/registry/missing_backend_plan_test.cpp — a plan whose backend is not installed.
#include <doctest/doctest.h>

#include <cstring>

#include "core/plan/plan_writer.hpp"
#include "core/runtime/engine.hpp"

TEST_CASE("loading a plan for a backend that is not installed names the backend and where mirt looked") {
  mirt::plan_model model;
  model.backend_name = "tpu9000";
  model.backend_version = "1.2.3";
  model.device_signature = "tpu-v9";
  mirt::tensor x;
  x.name = "x";
  x.dtype = MIRT_DTYPE_FLOAT32;
  x.shape = mirt::make_dims({2});
  x.rank_known = true;
  x.is_input = true;
  x.is_output = true;
  model.network.add_tensor(x);
  model.network.inputs = {0};
  model.network.outputs = {0};
  mirt::plan_profile profile;
  profile.inputs.push_back({0, {2}, {2}, {2}});
  profile.memory.tensor_offsets = {-1};
  model.profiles.push_back(profile);
  auto bytes = mirt::write_plan(model);
  REQUIRE(bytes.ok());
  auto loaded = mirt::engine::load(bytes->data(), bytes->size());
  REQUIRE(!loaded.ok());
  CHECK(loaded.error().code() == MIRT_STATUS_NOT_FOUND);
  const std::string& message = loaded.error().message();
  INFO(message);
  CHECK(message.find("'tpu9000'") != std::string::npos);
  CHECK(message.find("1.2.3") != std::string::npos);
  CHECK(message.find("searched") != std::string::npos);
  CHECK(message.find("backends/cpu") != std::string::npos);
}
