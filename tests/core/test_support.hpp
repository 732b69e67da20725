// tests/core/test_support.hpp — small helpers for tests that drive mirt through its C ABI.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mirt/mirt.h"

namespace mirt_test {

// Fails the test with the status message; returns the message (empty for success) for checks.
inline std::string take(mirt_status s) {
  std::string message = mirt_status_get_message(s);
  mirt_status_destroy(s);
  return message;
}

#define REQUIRE_OK(expr)                                         \
  do {                                                           \
    mirt_status s_ = (expr);                                     \
    INFO("status: ", std::string(mirt_status_get_message(s_)));  \
    bool ok_ = s_ == nullptr;                                    \
    mirt_status_destroy(s_);                                     \
    REQUIRE(ok_);                                                \
  } while (0)

// Runs expr, expects the code, and returns the message.
#define EXPECT_FAILURE(expr, code, message_out)                  \
  do {                                                           \
    mirt_status s_ = (expr);                                     \
    REQUIRE(s_ != nullptr);                                      \
    CHECK(mirt_status_get_code(s_) == (code));                   \
    message_out = mirt_status_get_message(s_);                   \
    mirt_status_destroy(s_);                                     \
  } while (0)

inline mirt_string_view sv(const char* s) { return mirt_string_view_of(s); }

inline mirt_attribute int_attr(const char* name, const int64_t* value) {
  return mirt_attribute{sv(name), MIRT_ATTRIBUTE_TYPE_INT, 1, value, nullptr, nullptr};
}
inline mirt_attribute ints_attr(const char* name, const std::vector<int64_t>& values) {
  return mirt_attribute{sv(name), MIRT_ATTRIBUTE_TYPE_INTS, values.size(), values.data(), nullptr, nullptr};
}

// Adds a layer with the given inputs and attributes and returns its first output.
inline mirt_tensor* add_layer(mirt_network* net, const char* op, const char* name, std::vector<mirt_tensor*> inputs,
                              std::vector<mirt_attribute> attrs = {}) {
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv(op);
  desc.name = sv(name);
  desc.num_inputs = inputs.size();
  desc.inputs = inputs.data();
  desc.num_attributes = attrs.size();
  desc.attributes = attrs.data();
  mirt_tensor* out = nullptr;
  REQUIRE_OK(mirt_network_add_layer(net, &desc, &out));
  return out;
}

inline std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Largest |a-b| / max(|b|, 1e-3) over the elements.
inline double max_relative_error(const std::vector<float>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i)
    worst = std::max(worst, std::abs(actual[i] - expected[i]) / std::max(std::abs(expected[i]), 1e-3));
  return worst;
}

// Owners that free the C objects at scope exit.
struct network_owner {
  mirt_network* p = nullptr;
  ~network_owner() { mirt_network_destroy(p); }
};
struct config_owner {
  mirt_builder_config* p = nullptr;
  ~config_owner() { mirt_builder_config_destroy(p); }
};
struct plan_owner {
  mirt_plan* p = nullptr;
  ~plan_owner() { mirt_plan_destroy(p); }
};
struct engine_owner {
  mirt_engine* p = nullptr;
  ~engine_owner() { mirt_engine_destroy(p); }
};
struct context_owner {
  mirt_context* p = nullptr;
  ~context_owner() { mirt_context_destroy(p); }
};

}  // namespace mirt_test
