// tests/plugins/plugin_build_run_test.cpp — plugin layers added through the network API, built into
// plans, run on the CPU backend and checked against float64 references; and every way a plugin can
// misbehave reported with a message that names it.
#include <cmath>

#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

struct libraries_loaded {
  libraries_loaded() {
    REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_C_PLUGIN)));
    REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_CPP_PLUGIN)));
    REQUIRE_OK(mirt_registry_load_library(sv(MISBEHAVING_PLUGIN)));
  }
};

void load_libraries() { static libraries_loaded once; }

// Builds a one-layer network of a test.bad plugin and returns the failure's message.
std::string build_failure(const char* op, mirt_status_code code, uint64_t memory_limit = 0) {
  load_libraries();
  one_layer model(op, "test.bad", {}, 3);
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(model.build(1, 2, 4, 3, plan, memory_limit), code, message);
  return message;
}

}  // namespace

TEST_CASE("the C example plugin builds, its tactics are timed, and it runs at every shape of the profile") {
  load_libraries();
  const float alpha = 1.5f, beta = -0.25f;
  one_layer model("MyCustomOp", "com.example", {float_field("alpha", &alpha), float_field("beta", &beta)}, 5);
  plan_owner plan;
  REQUIRE_OK(model.build(1, 4, 8, 5, plan));
  // The plan alone (copied bytes, a new engine) is enough to run it again.
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  for (int64_t rows : {1, 3, 8}) {
    std::vector<float> x = random_floats(size_t(rows) * 5, uint32_t(rows));
    for (float& v : x) v *= 3;
    std::vector<double> expected;
    for (float v : x) expected.push_back(alpha * std::tanh(double(v)) + beta);
    CHECK(max_relative_error(run(engine.p, x, rows, 5), expected) < 1e-5);
  }
}

TEST_CASE("the C++ example plugin computes its own output shape (keepdims=0 drops the last axis)") {
  load_libraries();
  const int64_t keepdims = 0;
  const float eps = 0.5f;
  one_layer model("L2NormLastAxis", "com.example",
                  {int_attr("keepdims", &keepdims), float_field("eps", &eps)}, 6);
  plan_owner plan;
  REQUIRE_OK(model.build(2, 2, 5, 6, plan, 0, 0));
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  const int64_t rows = 4;
  std::vector<float> x = random_floats(rows * 6, 7);
  std::vector<int64_t> shape;
  std::vector<float> y = run(engine.p, x, rows, 6, &shape);
  CHECK(shape == std::vector<int64_t>{rows});
  std::vector<double> expected;
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int k = 0; k < 6; ++k) sum += double(x[r * 6 + k]) * x[r * 6 + k];
    expected.push_back(std::sqrt(sum + eps));
  }
  CHECK(max_relative_error(y, expected) < 1e-6);
}

TEST_CASE("a plugin layer's fields are checked against the creator's field list when the layer is added") {
  load_libraries();
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {2};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv("MyCustomOp");
  desc.domain = sv("com.example");
  desc.num_inputs = 1;
  desc.inputs = &x;
  std::string message;
  EXPECT_FAILURE(mirt_network_add_layer(net.p, &desc, nullptr), MIRT_STATUS_INVALID_GRAPH, message);
  CHECK(contains(message, "missing required attribute 'alpha'"));
  const int64_t wrong = 2;
  mirt_attribute alpha_as_int = int_attr("alpha", &wrong);
  desc.num_attributes = 1;
  desc.attributes = &alpha_as_int;
  EXPECT_FAILURE(mirt_network_add_layer(net.p, &desc, nullptr), MIRT_STATUS_INVALID_GRAPH, message);
  CHECK(contains(message, "attribute 'alpha' is int, expected float"));
}

TEST_CASE("a plugin version nobody registered fails the build naming the plugin") {
  load_libraries();
  const float alpha = 1;
  one_layer model("MyCustomOp", "com.example", {float_field("alpha", &alpha)}, 2, "42");
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(model.build(1, 1, 1, 2, plan), MIRT_STATUS_UNSUPPORTED, message);
  CHECK(contains(message, "MyCustomOp"));
  CHECK(contains(message, "plugin library"));
}

TEST_CASE("a creator that returns no plugin object is reported, not dereferenced") {
  std::string message = build_failure("NullCreator", MIRT_STATUS_MODULE_ERROR);
  INFO(message);
  CHECK(contains(message, "test.bad::NullCreator version 1"));
  CHECK(contains(message, "no plugin object"));
}

TEST_CASE("an exception thrown by a creator is caught at the boundary and names the plugin") {
  std::string message = build_failure("ThrowingCreator", MIRT_STATUS_MODULE_ERROR);
  INFO(message);
  CHECK(contains(message, "test.bad::ThrowingCreator"));
  CHECK(contains(message, "the creator blew up"));
}

TEST_CASE("output shapes that contradict the plugin's own answer for the declared shapes fail the build") {
  std::string message = build_failure("Contradicting", MIRT_STATUS_INVALID_SHAPE);
  INFO(message);
  CHECK(contains(message, "test.bad::Contradicting"));
  CHECK(contains(message, "contradicts"));
  CHECK(contains(message, "7x3"));
}

TEST_CASE("unknown output dims at known input shapes fail the build") {
  std::string message = build_failure("UnknownDims", MIRT_STATUS_MODULE_ERROR);
  INFO(message);
  CHECK(contains(message, "test.bad::UnknownDims"));
  CHECK(contains(message, "known input shapes"));
}

TEST_CASE("an output dtype that is no mirt_dtype fails the build") {
  std::string message = build_failure("BadDtype", MIRT_STATUS_MODULE_ERROR);
  INFO(message);
  CHECK(contains(message, "test.bad::BadDtype"));
  CHECK(contains(message, "77"));
}

TEST_CASE("a plugin asking for more workspace than the memory limit fails the build naming both sizes") {
  std::string message = build_failure("Greedy", MIRT_STATUS_OUT_OF_MEMORY, uint64_t{1} << 30);
  INFO(message);
  CHECK(contains(message, "test.bad::Greedy"));
  CHECK(contains(message, "1099511627776 bytes of workspace"));
  CHECK(contains(message, "memory limit of 1073741824"));
}

TEST_CASE("a plugin's tactics take part in kernel selection: a tactic that fails when timed is not chosen") {
  load_libraries();
  one_layer model("FirstTacticFails", "test.bad", {}, 3);
  plan_owner timed, untimed;
  REQUIRE_OK(model.build(2, 2, 2, 3, timed, 0, 3));
  REQUIRE_OK(model.build(2, 2, 2, 3, untimed, 0, 0));
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(timed.p, &json));
  const std::string described = json;
  mirt_string_free(json);
  INFO(described);
  CHECK(contains(described, "\"name\": \"copy\""));
  CHECK(!contains(described, "\"name\": \"broken\""));
  CHECK(contains(described, "\"library\": \"libmisbehaving_plugins.so\""));
  std::vector<float> x = random_floats(6, 9);
  engine_owner engine = make_engine(mirt_plan_data(timed.p), mirt_plan_size(timed.p));
  std::vector<double> expected(x.begin(), x.end());
  CHECK(max_relative_error(run(engine.p, x, 2, 3), expected) == 0);
  // Untimed, the plugin's first (broken) tactic is taken, and its failure names the layer.
  engine_owner broken = make_engine(mirt_plan_data(untimed.p), mirt_plan_size(untimed.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(broken.p, nullptr, &context.p));
  const int64_t dims[] = {2, 3};
  std::vector<float> y(6);
  REQUIRE_OK(mirt_context_set_input_shape(context.p, sv("x"), 2, dims));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), x.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("plugin"), y.data()));
  std::string message;
  EXPECT_FAILURE(mirt_context_enqueue(context.p, nullptr), MIRT_STATUS_INTERNAL, message);
  CHECK(contains(message, "layer 'plugin'"));
  CHECK(contains(message, "the broken tactic ran"));
}
