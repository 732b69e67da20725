// tests/plugins/plugin_plan_test.cpp — what a plan records of its plugin layers, and how a runtime
// finds their creators again: the library named in the plan, from the search folders, or an error
// that names the plugin, its version and where mirt looked. Runs with the example plugin folder on
// MIRT_MODULE_PATH (no manifest there: only a plan's library name finds the library).
#include <cmath>

#include "core/plan/plan_reader.hpp"
#include "core/plan/plan_writer.hpp"
#include "core/runtime/context.hpp"
#include "core/runtime/engine.hpp"
#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

// A plan written by hand: x [2, 3] -> MyCustomOp(alpha 2, beta 1) -> y, the loop tactic (id 1).
mirt::plan_model hand_made_plan() {
  mirt::plan_model m;
  auto cpu = mirt::backend::acquire("cpu");
  REQUIRE(cpu.ok());
  m.backend_name = "cpu";
  m.backend_version = (*cpu)->version();
  m.device_signature = (*cpu)->device_signature();
  for (const char* name : {"x", "y"}) {
    mirt::tensor t;
    t.name = name;
    t.dtype = MIRT_DTYPE_FLOAT32;
    t.shape = mirt::make_dims({2, 3});
    t.rank_known = true;
    t.is_input = name[0] == 'x';
    t.is_output = name[0] == 'y';
    m.network.add_tensor(t);
  }
  mirt::node n;
  n.name = "custom";
  n.op_type = "MyCustomOp";
  n.domain = "com.example";
  n.version = "1";
  n.inputs = {0};
  n.outputs = {1};
  n.attributes.set({"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {2.0f}, {}});
  n.attributes.set({"beta", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {1.0f}, {}});
  m.network.nodes.push_back(n);
  m.network.inputs = {0};
  m.network.outputs = {1};
  m.network.reindex();
  m.kernels.push_back({1, "my_custom_op_loop"});
  mirt::plan_profile p;
  p.inputs.push_back({0, {2, 3}, {2, 3}, {2, 3}});
  p.memory.tensor_offsets = {-1, -1};
  m.profiles.push_back(p);
  m.plugins.push_back({0, "MyCustomOp", "1", "com.example", "libmy_custom_op.so"});
  return m;
}

}  // namespace

TEST_CASE("a runtime loads the plugin library named in the plan from the search folders") {
  REQUIRE(mirt_registry_is_loaded(MIRT_MODULE_KIND_PLUGIN_LIBRARY, sv("example_c_plugins")) == 0);
  auto bytes = mirt::write_plan(hand_made_plan());
  REQUIRE(bytes.ok());
  auto engine = mirt::engine::load(bytes->data(), bytes->size());
  const std::string why = engine.ok() ? std::string() : engine.error().message();
  INFO(why);
  REQUIRE(engine.ok());
  CHECK(mirt_registry_is_loaded(MIRT_MODULE_KIND_PLUGIN_LIBRARY, sv("example_c_plugins")) == 1);
  auto context = mirt::context::create(*engine, 0);
  REQUIRE(context.ok());
  std::vector<float> x = {-2, -0.5f, 0, 0.25f, 1, 3}, y(6, -1);
  REQUIRE((*context)->set_tensor_address("x", x.data()).ok());
  REQUIRE((*context)->set_tensor_address("y", y.data()).ok());
  mirt::status s = (*context)->enqueue(nullptr);
  INFO(s.message());
  REQUIRE(s.ok());
  std::vector<double> expected;
  for (float v : x) expected.push_back(2 * std::tanh(double(v)) + 1);
  CHECK(max_relative_error(y, expected) < 1e-6);
}

TEST_CASE("a built plan records each plugin's name, version, namespace, serialized fields and library") {
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_C_PLUGIN)));
  const float alpha = 0.75f;  // beta left out: the plugin serializes its default
  one_layer model("MyCustomOp", "com.example", {float_field("alpha", &alpha)}, 4);
  plan_owner plan;
  REQUIRE_OK(model.build(1, 2, 3, 4, plan));
  auto bytes = std::make_shared<std::byte[]>(mirt_plan_size(plan.p));
  std::memcpy(bytes.get(), mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  auto m = mirt::read_plan(bytes, mirt_plan_size(plan.p));
  REQUIRE(m.ok());
  REQUIRE(m->plugins.size() == 1);
  const mirt::plugin_ref& p = m->plugins[0];
  CHECK(p.name == "MyCustomOp");
  CHECK(p.version == "1");
  CHECK(p.plugin_namespace == "com.example");
  CHECK(p.library == "libmy_custom_op.so");
  const mirt::node& n = m->network.nodes[p.node];
  CHECK(n.name == "plugin");
  CHECK(n.version == "1");
  CHECK(n.attributes.get_float("alpha", -1) == alpha);
  CHECK(n.attributes.get_float("beta", -1) == 0.0f);
}

TEST_CASE("a plan whose plugin version is not installed fails naming the plugin, its version and where mirt looked") {
  mirt::plan_model m = hand_made_plan();
  m.network.nodes[0].version = "7";
  m.plugins[0].version = "7";
  auto bytes = mirt::write_plan(m);
  REQUIRE(bytes.ok());
  auto engine = mirt::engine::load(bytes->data(), bytes->size());
  REQUIRE(!engine.ok());
  CHECK(engine.error().code() == MIRT_STATUS_NOT_FOUND);
  const std::string& message = engine.error().message();
  INFO(message);
  CHECK(contains(message, "com.example::MyCustomOp version 7"));
  CHECK(contains(message, "libmy_custom_op.so"));
  CHECK(contains(message, EXAMPLE_PLUGIN_DIR));
}
