// tests/plugins/plugin_test_support.hpp — a one-layer plugin network built, run and checked
// through the C ABI.
#pragma once

#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

namespace plugin_test {

using namespace mirt_test;

inline mirt_attribute float_field(const char* name, const float* value) {
  return mirt_attribute{sv(name), MIRT_ATTRIBUTE_TYPE_FLOAT, 1, nullptr, value, nullptr};
}

// x: float32 [rows, cols] with rows dynamic (profile min/opt/max) -> one plugin layer "plugin" -> y.
struct one_layer {
  network_owner net;
  mirt_tensor* y = nullptr;

  one_layer(const char* op, const char* ns, std::vector<mirt_attribute> fields, int64_t cols, const char* version = "") {
    REQUIRE_OK(mirt_network_create(nullptr, &net.p));
    const int64_t dims[] = {-1, cols};
    mirt_tensor* x = nullptr;
    REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, dims, nullptr, &x));
    mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
    desc.op_type = sv(op);
    desc.domain = sv(ns);
    desc.name = sv("plugin");
    desc.num_inputs = 1;
    desc.inputs = &x;
    desc.num_attributes = fields.size();
    desc.attributes = fields.data();
    desc.plugin_version = sv(version);
    REQUIRE_OK(mirt_network_add_layer(net.p, &desc, &y));
    REQUIRE_OK(mirt_network_mark_output(net.p, y));
  }

  // Builds for rows in [lo, hi]; returns the status (NULL for success) and the plan.
  mirt_status build(int64_t lo, int64_t opt, int64_t hi, int64_t cols, plan_owner& plan, uint64_t memory_limit = 0,
                    int32_t level = 3) const {
    config_owner config;
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    options.backend = sv("cpu");
    options.memory_limit_bytes = memory_limit;
    options.optimization_level = level;
    REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
    size_t profile = 0;
    REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
    const int64_t min[] = {lo, cols}, o[] = {opt, cols}, max[] = {hi, cols};
    REQUIRE_OK(mirt_builder_config_set_profile_shape(config.p, profile, sv("x"), 2, min, o, max));
    return mirt_builder_build(net.p, config.p, &plan.p);
  }
};

inline engine_owner make_engine(const void* bytes, size_t size) {
  plan_owner plan;
  REQUIRE_OK(mirt_plan_create_from_bytes(bytes, size, &plan.p));
  engine_owner engine;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&options, &engine.p));
  return engine;
}

// Runs x ([rows, cols]) through the engine; returns y and its shape.
inline std::vector<float> run(mirt_engine* engine, const std::vector<float>& x, int64_t rows, int64_t cols,
                              std::vector<int64_t>* out_shape = nullptr) {
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine, nullptr, &context.p));
  const int64_t dims[] = {rows, cols};
  REQUIRE_OK(mirt_context_set_input_shape(context.p, sv("x"), 2, dims));
  size_t rank = 0;
  int64_t y_dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_context_get_tensor_shape(context.p, sv("plugin"), &rank, y_dims));
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) count *= y_dims[d];
  if (out_shape) out_shape->assign(y_dims, y_dims + rank);
  std::vector<float> y(static_cast<size_t>(count), -12345.0f);
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), const_cast<float*>(x.data())));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("plugin"), y.data()));
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  return y;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace plugin_test
