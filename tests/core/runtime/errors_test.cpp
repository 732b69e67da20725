// tests/core/runtime/errors_test.cpp — bad input gets an error that names the culprit.
#include <cstring>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// x: [-1, 3, 8, 8] (batch dynamic) -> Relu -> "y".
plan_owner build_relu_plan(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {-1, 3, 8, 8};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {x})));
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &config.p));
  size_t p = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &p));
  const int64_t lo[] = {1, 3, 8, 8}, opt[] = {2, 3, 8, 8}, hi[] = {4, 3, 8, 8};
  REQUIRE_OK(mirt_builder_config_set_profile_shape(config.p, p, sv("x"), 4, lo, opt, hi));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
  return plan;
}

mirt_status engine_from_bytes(const std::vector<unsigned char>& bytes, engine_owner& engine) {
  plan_owner plan;
  mirt_status s = mirt_plan_create_from_bytes(bytes.data(), bytes.size(), &plan.p);
  if (s) return s;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan.p;
  return mirt_engine_create(&options, &engine.p);
}

std::vector<unsigned char> bytes_of(const mirt_plan* plan) {
  auto* p = static_cast<const unsigned char*>(mirt_plan_data(plan));
  return {p, p + mirt_plan_size(plan)};
}

}  // namespace

TEST_CASE("an input shape outside the profile names the tensor, the dim, the value and the range") {
  network_owner net;
  plan_owner plan = build_relu_plan(net);
  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::string message;
  const int64_t too_big[] = {9, 3, 8, 8};
  EXPECT_FAILURE(mirt_context_set_input_shape(context, sv("x"), 4, too_big), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("'x'") != std::string::npos);
  CHECK(message.find("dim 0") != std::string::npos);
  CHECK(message.find("9") != std::string::npos);
  CHECK(message.find("[1, 4]") != std::string::npos);

  const int64_t wrong_static[] = {2, 3, 8, 9};
  EXPECT_FAILURE(mirt_context_set_input_shape(context, sv("x"), 4, wrong_static), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("dim 3") != std::string::npos);
  CHECK(message.find("must be 8") != std::string::npos);

  const int64_t wrong_rank[] = {2, 3, 8};
  EXPECT_FAILURE(mirt_context_set_input_shape(context, sv("x"), 3, wrong_rank), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("rank 3") != std::string::npos);
}

TEST_CASE("running without an input shape or a tensor address names what is missing") {
  network_owner net;
  plan_owner plan = build_relu_plan(net);
  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::string message;
  EXPECT_FAILURE(mirt_context_enqueue(context, nullptr), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("shape of input 'x'") != std::string::npos);

  const int64_t dims[] = {2, 3, 8, 8};
  REQUIRE_OK(mirt_context_set_input_shape(context, sv("x"), 4, dims));
  std::vector<float> x(2 * 3 * 8 * 8, 1.f);
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), x.data()));
  EXPECT_FAILURE(mirt_context_enqueue(context, nullptr), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("'y'") != std::string::npos);
  CHECK(message.find("address") != std::string::npos);

  EXPECT_FAILURE(mirt_context_set_tensor_address(context, sv("nope"), x.data()), MIRT_STATUS_NOT_FOUND, message);
  CHECK(message.find("'nope'") != std::string::npos);
}

TEST_CASE("a wrong attribute or a wrong input rank is reported with the layer's name") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {1, 3, 8};  // rank 3: Conv2d needs rank 4
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, dims, nullptr, &x));
  const int64_t w_dims[] = {4, 3, 3, 3};
  std::vector<float> weights(4 * 3 * 3 * 3, 0.5f);
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, weights.data(),
                                       weights.size() * 4, &w));
  std::string message;

  SUBCASE("an unknown attribute") {
    const int64_t one = 1;
    mirt_attribute bogus = int_attr("not_an_attribute", &one);
    mirt_tensor* inputs[] = {x, w};
    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = sv("Conv");
    desc.name = sv("stem/conv1");
    desc.num_inputs = 2;
    desc.inputs = inputs;
    desc.num_attributes = 1;
    desc.attributes = &bogus;
    EXPECT_FAILURE(mirt_network_add_layer(net.p, &desc, nullptr), MIRT_STATUS_INVALID_GRAPH, message);
    CHECK(message.find("stem/conv1") != std::string::npos);
    CHECK(message.find("not_an_attribute") != std::string::npos);
  }
  SUBCASE("an attribute of the wrong type") {
    const float half = 0.5f;
    mirt_attribute wrong{sv("group"), MIRT_ATTRIBUTE_TYPE_FLOAT, 1, nullptr, &half, nullptr};
    mirt_tensor* inputs[] = {x, w};
    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = sv("Conv");
    desc.name = sv("stem/conv1");
    desc.num_inputs = 2;
    desc.inputs = inputs;
    desc.num_attributes = 1;
    desc.attributes = &wrong;
    EXPECT_FAILURE(mirt_network_add_layer(net.p, &desc, nullptr), MIRT_STATUS_INVALID_GRAPH, message);
    CHECK(message.find("stem/conv1") != std::string::npos);
    CHECK(message.find("'group'") != std::string::npos);
  }
  SUBCASE("an input of the wrong rank, found at build time") {
    mirt_tensor* y = add_layer(net.p, "Conv", "stem/conv1", {x, w});
    REQUIRE_OK(mirt_network_mark_output(net.p, y));
    plan_owner plan;
    mirt_status s = mirt_builder_build(net.p, nullptr, &plan.p);
    REQUIRE(s != nullptr);
    message = mirt_status_get_message(s);
    CHECK(mirt_status_get_code(s) == MIRT_STATUS_INVALID_SHAPE);
    mirt_status_destroy(s);
    INFO(message);
    CHECK(message.find("stem/conv1") != std::string::npos);
    CHECK(message.find("rank 4, expected 3") != std::string::npos);  // weights vs a 1-D conv input
    CHECK(plan.p == nullptr);  // outputs stay untouched on failure
  }
  SUBCASE("an unknown op in the standard domain") {
    mirt_tensor* inputs[] = {x};
    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = sv("FancyNewOp");
    desc.name = sv("mystery");
    desc.num_inputs = 1;
    desc.inputs = inputs;
    EXPECT_FAILURE(mirt_network_add_layer(net.p, &desc, nullptr), MIRT_STATUS_INVALID_GRAPH, message);
    CHECK(message.find("FancyNewOp") != std::string::npos);
    CHECK(message.find("mystery") != std::string::npos);
  }
}

TEST_CASE("a dynamic input without a profile is refused at build time, naming the input") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {-1, 4};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("tokens"), MIRT_DTYPE_FLOAT32, 2, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "r", {x})));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(net.p, nullptr, &plan.p), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("'tokens'") != std::string::npos);
  CHECK(message.find("profile") != std::string::npos);
}

TEST_CASE("a plan truncated at any offset is refused with an error, never a crash") {
  network_owner net;
  plan_owner plan = build_relu_plan(net);
  std::vector<unsigned char> bytes = bytes_of(plan.p);
  REQUIRE(bytes.size() > 64);
  for (size_t size = 0; size < bytes.size(); size += (size < 256 ? 1 : 7)) {
    std::vector<unsigned char> cut(bytes.begin(), bytes.begin() + static_cast<long>(size));
    engine_owner engine;
    mirt_status s = engine_from_bytes(cut, engine);
    REQUIRE(s != nullptr);
    CHECK(mirt_status_get_code(s) == MIRT_STATUS_CORRUPT_DATA);
    if (size >= 64) CHECK(std::string(mirt_status_get_message(s)).find("truncated") != std::string::npos);
    mirt_status_destroy(s);
  }
}

TEST_CASE("a plan with a flipped byte is refused (checksum), never a crash") {
  network_owner net;
  plan_owner plan = build_relu_plan(net);
  std::vector<unsigned char> bytes = bytes_of(plan.p);
  for (size_t at = 0; at < bytes.size(); at += (at < 128 ? 1 : 13)) {
    std::vector<unsigned char> damaged = bytes;
    damaged[at] ^= 0x5A;
    engine_owner engine;
    mirt_status s = engine_from_bytes(damaged, engine);
    REQUIRE(s != nullptr);
    mirt_status_code code = mirt_status_get_code(s);
    CHECK((code == MIRT_STATUS_CORRUPT_DATA || code == MIRT_STATUS_INCOMPATIBLE_VERSION));
    if (at >= 64) CHECK(std::string(mirt_status_get_message(s)).find("checksum") != std::string::npos);
    mirt_status_destroy(s);
  }
}

TEST_CASE("a plan from another mirt version is refused, naming both versions") {
  network_owner net;
  plan_owner plan = build_relu_plan(net);
  std::vector<unsigned char> bytes = bytes_of(plan.p);
  bytes[20] = static_cast<unsigned char>(MIRT_VERSION_PATCH + 7);  // mirt_patch, little-endian uint16 at byte 20
  engine_owner engine;
  std::string message;
  EXPECT_FAILURE(engine_from_bytes(bytes, engine), MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  CHECK(message.find(MIRT_VERSION_STRING) != std::string::npos);
  std::string other = std::to_string(MIRT_VERSION_MAJOR) + "." + std::to_string(MIRT_VERSION_MINOR) + "." +
                      std::to_string(MIRT_VERSION_PATCH + 7);
  CHECK(message.find(other) != std::string::npos);
}
