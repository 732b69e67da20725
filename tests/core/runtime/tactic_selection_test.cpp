// tests/core/runtime/tactic_selection_test.cpp — the builder times a layer's tactics above
// optimization level 0 and keeps the backend's first one at level 0.
#include <mutex>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

std::mutex log_mutex;
std::vector<std::string> log_lines;

void capture_log(void*, mirt_log_level, const char* source, const char* message) {
  std::lock_guard lock(log_mutex);
  log_lines.push_back(std::string(source) + ": " + message);
}

// x [1,16,6,6] -> Conv 3x3, 16 -> 16 channels, pad 1 -> "y": the CPU backend offers three layouts.
plan_owner build_conv(int32_t optimization_level, std::vector<float>& weights) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 16, 6, 6}, w_dims[] = {16, 16, 3, 3};
  weights = random_floats(16 * 16 * 9, 41);
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, weights.data(),
                                       weights.size() * 4, &w));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Conv", "y", {x, w}, {ints_attr("pads", pads)})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.optimization_level = optimization_level;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
  return plan;
}

std::string describe(const plan_owner& plan) {
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(plan.p, &json));
  std::string description(json);
  mirt_string_free(json);
  return description;
}

}  // namespace

TEST_CASE("the builder times every tactic of a layer above level 0 and runs the one it keeps correctly") {
  log_lines.clear();
  mirt_set_log_callback(capture_log, nullptr, MIRT_LOG_LEVEL_VERBOSE);
  std::vector<float> w;
  plan_owner plan = build_conv(3, w);
  mirt_set_log_callback(nullptr, nullptr, MIRT_LOG_LEVEL_WARNING);
  int timed = 0;
  for (const std::string& line : log_lines)
    if (line.find("layer 'y': tactic onednn_conv") != std::string::npos && line.find(" ms") != std::string::npos)
      ++timed;
  CHECK(timed == 3);  // onednn_conv, onednn_conv_nchw16c, onednn_conv_nchw
  CHECK(describe(plan).find("onednn_conv") != std::string::npos);

  engine_owner engine;
  mirt_engine_options options = MIRT_ENGINE_OPTIONS_INIT;
  options.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&options, &engine.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  std::vector<float> x = random_floats(16 * 36, 42), y(16 * 36);
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), x.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("y"), y.data()));
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  std::vector<double> expected(16 * 36, 0.0);
  for (int oc = 0; oc < 16; ++oc)
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 6; ++c)
        for (int ic = 0; ic < 16; ++ic)
          for (int kr = 0; kr < 3; ++kr)
            for (int kc = 0; kc < 3; ++kc) {
              const int rr = r + kr - 1, cc = c + kc - 1;
              if (rr < 0 || rr >= 6 || cc < 0 || cc >= 6) continue;
              expected[(oc * 6 + r) * 6 + c] += double(x[(ic * 6 + rr) * 6 + cc]) * w[((oc * 16 + ic) * 3 + kr) * 3 + kc];
            }
  CHECK(max_relative_error(y, expected) < 1e-3);  // 144-term float sums
}

TEST_CASE("optimization level 0 keeps the backend's first tactic without timing") {
  log_lines.clear();
  mirt_set_log_callback(capture_log, nullptr, MIRT_LOG_LEVEL_VERBOSE);
  std::vector<float> w;
  plan_owner plan = build_conv(0, w);
  mirt_set_log_callback(nullptr, nullptr, MIRT_LOG_LEVEL_WARNING);
  for (const std::string& line : log_lines) CHECK(line.find("tactic") == std::string::npos);
  const std::string description = describe(plan);
  CHECK(description.find("\"onednn_conv\"") != std::string::npos);
}
