// tests/core/runtime/runtime_control_test.cpp — device selection, the input-consumed event, the
// persisting-cache window, per-layer profiler ranges and graph replay, on the "tracebe" fixture backend
// (tests/core/fixtures/trace_backend), which records the calls the core makes into the stream a
// test passes; and what the CPU backend, which has none of these, says about them.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/core/fixtures/trace_backend/trace_log.h"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

void use_trace_backend() {
  static const bool added = [] {
    REQUIRE_OK(mirt_registry_add_search_path(sv(TRACE_BACKEND_DIR)));
    return true;
  }();
  (void)added;
}

// x [8] -> Relu a -> Relu b -> Add c (b, x) -> Relu d -> y: c is the last layer that reads x.
// (tracebe's layers copy their first input: y = x.)
mirt_status build(const char* backend, int32_t device_id, plan_owner& plan, const char* second_layer = "b") {
  use_trace_backend();
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[] = {8};
  mirt_tensor* x;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  mirt_tensor* a = add_layer(net.p, "Relu", "a", {x});
  mirt_tensor* b = add_layer(net.p, "Relu", second_layer, {a});
  mirt_tensor* c = add_layer(net.p, "Add", "c", {b, x});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {c})));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv(backend);
  options.optimization_level = 0;
  options.device_id = device_id;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  return mirt_builder_build(net.p, config.p, &plan.p);
}

struct session {
  engine_owner engine;
  context_owner context;
  std::vector<float> x = std::vector<float>(8, 1.0f), y = std::vector<float>(8);
  mirt_status open(const plan_owner& plan, int32_t device_id, const mirt_context_options* co = nullptr) {
    mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
    eo.plan = plan.p;
    eo.device_id = device_id;
    if (mirt_status s = mirt_engine_create(&eo, &engine.p)) return s;
    REQUIRE_OK(mirt_context_create(engine.p, co, &context.p));
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), x.data()));
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("y"), y.data()));
    return nullptr;
  }
  std::string run() {
    trace_log log{};
    REQUIRE_OK(mirt_context_enqueue(context.p, &log));
    return log.text;
  }
};

}  // namespace

TEST_CASE("the input-consumed event is recorded right after the last layer that reads an input") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan));
  session s;
  REQUIRE_OK(s.open(plan, 0));
  int event = 7;
  REQUIRE_OK(mirt_context_set_input_consumed_event(s.context.p, &event));
  CHECK(s.run() == "exec:a@0;exec:b@0;exec:c@0;event:7;exec:y@0;");
  CHECK(s.run() == "exec:a@0;exec:b@0;exec:c@0;event:7;exec:y@0;");  // on every run
  REQUIRE_OK(mirt_context_set_input_consumed_event(s.context.p, nullptr));
  CHECK(s.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");
}

TEST_CASE("an engine on device 1 runs every layer there, also when another thread enqueues") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 1, plan));
  session s;
  REQUIRE_OK(s.open(plan, 1));
  CHECK(s.run() == "exec:a@1;exec:b@1;exec:c@1;exec:y@1;");
  std::string other;
  std::thread([&] { other = s.run(); }).join();  // a new thread starts on device 0
  CHECK(other == "exec:a@1;exec:b@1;exec:c@1;exec:y@1;");

  session missing;
  std::string message;
  EXPECT_FAILURE(missing.open(plan, 2), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("device 2 of 2") != std::string::npos);
  plan_owner none;
  EXPECT_FAILURE(build("tracebe", 5, none), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("device 5 of 2") != std::string::npos);
}

TEST_CASE("a plan built on one device is refused on a device of another kind, naming both") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan));
  session s;
  std::string message;
  EXPECT_FAILURE(s.open(plan, 1), MIRT_STATUS_INCOMPATIBLE_VERSION, message);
  CHECK(message.find("'trace0'") != std::string::npos);
  CHECK(message.find("'trace1'") != std::string::npos);
}

TEST_CASE("profiler ranges wrap each layer when the context option or MIRT_NVTX=1 asks, and only then") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan));
  mirt_context_options co = MIRT_CONTEXT_OPTIONS_INIT;
  co.nvtx = 1;
  session with;
  REQUIRE_OK(with.open(plan, 0, &co));
  CHECK(with.run() == "push:a;exec:a@0;pop;push:b;exec:b@0;pop;push:c;exec:c@0;pop;push:y;exec:y@0;pop;");
  session without;
  REQUIRE_OK(without.open(plan, 0));
  CHECK(without.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");
  setenv("MIRT_NVTX", "1", 1);
  session by_env;
  mirt_status st = by_env.open(plan, 0);
  unsetenv("MIRT_NVTX");
  REQUIRE_OK(st);
  CHECK(by_env.run().find("push:a;exec:a@0;pop;") == 0);
}

TEST_CASE("the persistent cache limit sets a window over the activations once, and is checked against the maximum") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan));
  session s;
  REQUIRE_OK(s.open(plan, 0));
  std::string message;
  EXPECT_FAILURE(mirt_context_set_persistent_cache_limit(s.context.p, (1 << 20) + 1), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find(std::to_string((1 << 20) + 1) + " bytes") != std::string::npos);
  CHECK(message.find("maximum of " + std::to_string(1 << 20) + " bytes") != std::string::npos);
  CHECK(s.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");  // no limit: no window
  REQUIRE_OK(mirt_context_set_persistent_cache_limit(s.context.p, 4096));
  uint64_t arena = 0;
  REQUIRE_OK(mirt_engine_device_memory_size_for_profile(s.engine.p, 0, &arena));
  CHECK(s.run() == "window:" + std::to_string(arena) + ":4096;exec:a@0;exec:b@0;exec:c@0;exec:y@0;");
  CHECK(s.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");  // already set on this stream
  REQUIRE_OK(mirt_context_set_persistent_cache_limit(s.context.p, 0));
  CHECK(s.run().find("window:" + std::to_string(arena) + ":0;") == 0);  // turned off again
}

TEST_CASE("the CPU backend has device 0 only, no persisting cache, and leaves the input-consumed event alone") {
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(build("cpu", 1, plan), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("device 1 does not exist: backend 'cpu' has 1 device (id 0)") != std::string::npos);
  REQUIRE_OK(build("cpu", 0, plan));
  session bad;
  EXPECT_FAILURE(bad.open(plan, 3), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("device 3 does not exist") != std::string::npos);
  session s;
  REQUIRE_OK(s.open(plan, 0));
  EXPECT_FAILURE(mirt_context_set_persistent_cache_limit(s.context.p, 1), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("maximum of 0 bytes") != std::string::npos);
  EXPECT_FAILURE(mirt_context_set_graph_replay(s.context.p, 1), MIRT_STATUS_UNSUPPORTED, message);
  CHECK(message.find("backend 'cpu' cannot record graphs") != std::string::npos);
  int event = 7;
  REQUIRE_OK(mirt_context_set_input_consumed_event(s.context.p, &event));
  REQUIRE_OK(mirt_context_enqueue(s.context.p, nullptr));
  CHECK(event == 7);
  CHECK(s.y[0] == 2.0f);  // relu(relu(relu(1)) + 1): the run completed before enqueue returned
}

TEST_CASE("graph replay runs plainly once, records the next run, then launches the graph until an address changes") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan));
  session s;
  REQUIRE_OK(s.open(plan, 0));
  const std::string plain = "exec:a@0;exec:b@0;exec:c@0;exec:y@0;";
  REQUIRE_OK(mirt_context_set_graph_replay(s.context.p, 1));
  CHECK(s.run() == plain);  // kernels may set up lazy state on their first call
  std::fill(s.x.begin(), s.x.end(), 2.0f);
  CHECK(s.run() == "record;rec:a;rec:b;rec:c;rec:y;record_end;launch;");
  CHECK(s.y == s.x);  // the launch did the recorded work
  std::fill(s.x.begin(), s.x.end(), 3.0f);
  REQUIRE_OK(mirt_context_set_tensor_address(s.context.p, sv("x"), s.x.data()));  // the same address again
  CHECK(s.run() == "launch;");
  CHECK(s.y == s.x);

  std::vector<float> other(8, 5.0f);
  REQUIRE_OK(mirt_context_set_tensor_address(s.context.p, sv("x"), other.data()));
  CHECK(s.run() == plain);
  CHECK(s.y == other);
  other.assign(8, 6.0f);
  CHECK(s.run() == "record;rec:a;rec:b;rec:c;rec:y;record_end:update;launch;");  // the graph updated in place
  CHECK(s.y == other);
  // A new persisting-cache limit: the window is set on the stream, then a plain run and a new recording.
  REQUIRE_OK(mirt_context_set_persistent_cache_limit(s.context.p, 4096));
  uint64_t arena = 0;
  REQUIRE_OK(mirt_engine_device_memory_size_for_profile(s.engine.p, 0, &arena));
  CHECK(s.run() == "window:" + std::to_string(arena) + ":4096;" + plain);
  CHECK(s.run() == "record;rec:a;rec:b;rec:c;rec:y;record_end:update;launch;");
  REQUIRE_OK(mirt_context_set_graph_replay(s.context.p, 0));
  CHECK(s.run() == plain);
}

TEST_CASE("graph replay turns itself off with a warning where a run cannot be recorded, and runs plainly") {
  plan_owner plan;
  REQUIRE_OK(build("tracebe", 0, plan, "unrecordable"));
  const std::string plain = "exec:a@0;exec:unrecordable@0;exec:c@0;exec:y@0;";
  session s;
  REQUIRE_OK(s.open(plan, 0));
  REQUIRE_OK(mirt_context_set_graph_replay(s.context.p, 1));
  log_capture log;
  CHECK(s.run() == plain);
  std::fill(s.x.begin(), s.x.end(), 4.0f);
  CHECK(s.run() == "record;rec:a;record_end;" + plain);  // the failed recording ended, then a plain run
  CHECK(s.y == s.x);
  CHECK(log.count("graph replay is off for this context: recording the run failed") == 1);
  CHECK(log.count("layer unrecordable cannot be recorded") == 1);
  CHECK(s.run() == plain);  // off for good

  plan_owner recordable;
  REQUIRE_OK(build("tracebe", 0, recordable));
  session p;
  REQUIRE_OK(p.open(recordable, 0));
  REQUIRE_OK(mirt_context_set_graph_replay(p.context.p, 1));
  REQUIRE_OK(mirt_context_set_profiler(p.context.p, [](void*, const char*, const char*, const char*, float) {}, nullptr));
  CHECK(p.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");
  CHECK(p.run() == "exec:a@0;exec:b@0;exec:c@0;exec:y@0;");
  CHECK(log.count("graph replay is off for this context: a profiler is set") == 1);
}
