// tests/core/test_support.hpp — small helpers for tests that drive mirt through its C ABI.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
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

// doctest's INFO keeps a reference to its arguments until the assertion, so the message is a named
// local that outlives it (a temporary would dangle).
#define REQUIRE_OK(expr)                                         \
  do {                                                           \
    mirt_status s_ = (expr);                                     \
    const bool ok_ = s_ == nullptr;                              \
    const std::string message_ = mirt_status_get_message(s_);    \
    mirt_status_destroy(s_);                                     \
    INFO("status: ", message_);                                  \
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

// Builds net for the cpu backend at the given optimization level (0: no tactic timing, fast).
inline plan_owner build_for_cpu(mirt_network* net, int32_t optimization_level = 0) {
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.optimization_level = optimization_level;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net, config.p, &plan.p));
  return plan;
}

// One input's shape range in an optimization profile.
struct profile_shape {
  std::string name;
  std::vector<int64_t> min, opt, max;
};

// Builds net for the cpu backend with one optimization profile over `shapes`.
inline plan_owner build_for_cpu_with_profile(mirt_network* net, const std::vector<profile_shape>& shapes) {
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  size_t profile = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
  for (const profile_shape& s : shapes)
    REQUIRE_OK(mirt_builder_config_set_profile_shape(config.p, profile, sv(s.name.c_str()), s.min.size(), s.min.data(), s.opt.data(),
                                                     s.max.data()));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net, config.p, &plan.p));
  return plan;
}

// mirt_plan_describe_json's text.
inline std::string describe_plan(const mirt_plan* plan) {
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(plan, &json));
  std::string text(json);
  mirt_string_free(json);
  return text;
}

// An engine loaded from a plan, with one execution context on it (default context options
// unless given).
struct running_plan {
  engine_owner engine;
  context_owner context;
  explicit running_plan(const mirt_plan* plan, const mirt_context_options* context_options = nullptr) {
    mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
    options.plan = plan;
    REQUIRE_OK(mirt_engine_create(&options, &engine.p));
    REQUIRE_OK(mirt_context_create(engine.p, context_options, &context.p));
  }
};

// A plan, the engine loaded from it and one context: what most runtime tests hold.
struct loaded_network {
  plan_owner plan;
  engine_owner engine;
  context_owner context;

  // Builds net with config (NULL: the cpu backend's defaults), then loads it.
  void build(mirt_network* net, mirt_builder_config* config = nullptr) {
    config_owner cpu;
    if (!config) {
      mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
      options.backend = sv("cpu");
      REQUIRE_OK(mirt_builder_config_create(&options, &cpu.p));
      config = cpu.p;
    }
    REQUIRE_OK(mirt_builder_build(net, config, &plan.p));
    load();
  }
  // Creates the engine and its context from plan.
  void load() {
    mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
    options.plan = plan.p;
    REQUIRE_OK(mirt_engine_create(&options, &engine.p));
    REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  }
};

// A host output allocator that keeps one buffer per output and records what the context asked and said.
struct recording_allocator {
  std::vector<char> memory;
  int reallocations = 0;
  uint64_t last_size = 0;
  std::string name;
  std::vector<int64_t> shape;
  bool fail = false;  // return NULL

  static void* reallocate(void* self, const char* tensor_name, void* current, uint64_t size, uint64_t alignment) {
    auto* a = static_cast<recording_allocator*>(self);
    ++a->reallocations;
    a->last_size = size;
    a->name = tensor_name;
    if (a->fail) return nullptr;
    CHECK(alignment >= 1);
    if (current && size <= a->memory.size()) return current;
    a->memory.assign(std::max<uint64_t>(size, 1), 0);
    return a->memory.data();
  }
  static void notify(void* self, const char*, size_t rank, const int64_t* dims) {
    static_cast<recording_allocator*>(self)->shape.assign(dims, dims + rank);
  }
  mirt_output_allocator table() {
    mirt_output_allocator a = MIRT_OUTPUT_ALLOCATOR_INIT;
    a.reallocate = reallocate;
    a.notify_shape = notify;
    a.user_data = this;
    return a;
  }
  // The first count values of the buffer (all of the last size asked for when count is 0).
  template <class T>
  std::vector<T> values(size_t count = 0) const {
    const T* p = reinterpret_cast<const T*>(memory.data());
    return std::vector<T>(p, p + (count ? count : last_size / sizeof(T)));
  }
};

// Binds each named tensor to its host buffer, then runs the context once.
inline void bind_and_run(mirt_context* context, std::initializer_list<std::pair<const char*, void*>> buffers) {
  for (const auto& [name, address] : buffers) REQUIRE_OK(mirt_context_set_tensor_address(context, sv(name), address));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
}

// x [1,16,side,side] -> Conv 3x3, 16 -> 16 channels, pad 1 -> output "y": a layer for which the CPU
// backend offers several tactics (layouts). weights holds 16*16*9 floats.
inline void add_conv3x3_layer(mirt_network* net, int64_t side, const std::vector<float>& weights) {
  const int64_t x_dims[] = {1, 16, side, side}, w_dims[] = {16, 16, 3, 3};
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, weights.data(),
                                       weights.size() * sizeof(float), &w));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  REQUIRE_OK(mirt_network_mark_output(net, add_layer(net, "Conv", "y", {x, w}, {ints_attr("pads", pads)})));
}

// Collects mirt's log lines ("source: message", verbose and up) while it lives.
class log_capture {
 public:
  log_capture() { mirt_set_log_callback(&log_capture::record, this, MIRT_LOG_LEVEL_VERBOSE); }
  ~log_capture() { mirt_set_log_callback(nullptr, nullptr, MIRT_LOG_LEVEL_WARNING); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // How many lines contain needle.
  int count(const std::string& needle) const {
    int n = 0;
    for (const std::string& line : lines()) n += line.find(needle) != std::string::npos;
    return n;
  }

 private:
  static void record(void* self, mirt_log_level, const char* source, const char* message) {
    auto* capture = static_cast<log_capture*>(self);
    std::lock_guard lock(capture->mutex_);
    capture->lines_.push_back(std::string(source) + ": " + message);
  }
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace mirt_test
