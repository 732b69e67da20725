// tests/plugins/plugin_path_test.cpp — MIRT_PLUGIN_PATH: plugin libraries in its folders are found
// without any load call, when creators are listed or a plugin op is looked up.
#include <cmath>
#include <set>

#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

TEST_CASE("a plugin op found through MIRT_PLUGIN_PATH builds and runs with no explicit load") {
  const float alpha = -1.0f, beta = 0.5f;
  one_layer model("MyCustomOp", "com.example", {float_field("alpha", &alpha), float_field("beta", &beta)}, 3);
  plan_owner plan;
  REQUIRE_OK(model.build(2, 2, 2, 3, plan));
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  std::vector<float> x = random_floats(6, 3);
  std::vector<double> expected;
  for (float v : x) expected.push_back(alpha * std::tanh(double(v)) + beta);
  CHECK(max_relative_error(run(engine.p, x, 2, 3), expected) < 1e-6);
}

TEST_CASE("creators in MIRT_PLUGIN_PATH libraries are listed") {
  std::set<std::string> found;
  for (size_t i = 0; i < mirt_registry_num_plugin_creators(); ++i) {
    mirt_plugin_creator_info info = MIRT_PLUGIN_CREATOR_INFO_INIT;
    REQUIRE_OK(mirt_registry_get_plugin_creator(i, &info));
    found.insert(std::string(info.creator->plugin_namespace) + "::" + info.creator->name);
  }
  CHECK(found.count("com.example::MyCustomOp") == 1);
  CHECK(found.count("com.example::L2NormLastAxis") == 1);
}
