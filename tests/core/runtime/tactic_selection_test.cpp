// tests/core/runtime/tactic_selection_test.cpp — the builder times a layer's tactics above
// optimization level 0 and keeps the backend's first one at level 0.
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

// x [1,16,6,6] -> Conv 3x3 -> "y", built at optimization_level; returns the build's log lines.
plan_owner build_conv(int32_t optimization_level, std::vector<float>& weights, std::vector<std::string>& log) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  weights = random_floats(16 * 16 * 9, 41);
  add_conv3x3_layer(net.p, 6, weights);
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.optimization_level = optimization_level;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  log_capture capture;
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
  log = capture.lines();
  return plan;
}

std::string describe(const plan_owner& plan) {
  const std::string description = describe_plan(plan.p);
  return description;
}

}  // namespace

TEST_CASE("the builder times every tactic of a layer above level 0 and runs the one it keeps correctly") {
  std::vector<float> w;
  std::vector<std::string> log_lines;
  plan_owner plan = build_conv(3, w, log_lines);
  int timed = 0;
  for (const std::string& line : log_lines)
    if (line.find("layer 'y': tactic onednn_conv") != std::string::npos && line.find(" ms") != std::string::npos)
      ++timed;
  CHECK(timed == 3);  // onednn_conv, onednn_conv_nchw16c, onednn_conv_nchw
  CHECK(describe(plan).find("onednn_conv") != std::string::npos);

  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::vector<float> x = random_floats(16 * 36, 42), y(16 * 36);
  bind_and_run(context, {{"x", x.data()}, {"y", y.data()}});
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
  std::vector<float> w;
  std::vector<std::string> log_lines;
  plan_owner plan = build_conv(0, w, log_lines);
  for (const std::string& line : log_lines) CHECK(line.find("tactic") == std::string::npos);
  const std::string description = describe(plan);
  CHECK(description.find("\"onednn_conv\"") != std::string::npos);
}

TEST_CASE("with a backend that has a device clock, tactics are timed by it, not by the host clock") {
  // tracebe's trace_copy_device_fast takes 3 ms of host time per call but 1 ms by its device clock,
  // trace_copy almost no host time but 5 ms by the device clock.
  static const bool added = [] {
    REQUIRE_OK(mirt_registry_add_search_path(sv(TRACE_BACKEND_DIR)));
    return true;
  }();
  (void)added;
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {8};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {x})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("tracebe");
  options.optimization_level = 3;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  log_capture capture;
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
  bool slow_seen = false, fast_seen = false;
  for (const std::string& line : capture.lines()) {
    slow_seen = slow_seen || line.find("layer 'y': tactic trace_copy 5 ms") != std::string::npos;
    fast_seen = fast_seen || line.find("layer 'y': tactic trace_copy_device_fast 1 ms") != std::string::npos;
  }
  CHECK(slow_seen);
  CHECK(fast_seen);
  const std::string description = describe(plan);
  CHECK(description.find("\"trace_copy_device_fast\"") != std::string::npos);
}
