// tests/backends/cuda/test_runtime_api.cpp — the runtime controls of the C API on the CUDA backend,
// end to end through libmirt: device selection by id, user-managed device memory, the
// input-consumed event, the persisting-L2 window, NVTX ranges, graph replay, and the clear errors for a host
// pointer, an absent device and out of device memory. Without a GPU (CI) only the "no GPU" case
// runs; the others skip themselves. tests/gpu/run.sh runs it on the GPU machine.
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mirt/mirt.h"
#include "tests/backends/cuda/runtime_api_support.hpp"

using namespace cuda_api_test;

namespace {

int device_count() {
  int n = 0;
  (void)cudaGetDeviceCount(&n);
  return n;
}

// x [rows, 256] -> Relu r1 -> Sigmoid s -> Relu y: activations in the arena; a status when it fails.
mirt_status build(int64_t rows, int32_t device_id, mirt_plan** plan) {
  mirt_network* net = nullptr;
  REQUIRE_OK(mirt_network_create(nullptr, &net));
  const int64_t dims[] = {rows, 256};
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv("x"), MIRT_DTYPE_FLOAT32, 2, dims, nullptr, &t));
  const char* ops[][2] = {{"Relu", "r1"}, {"Sigmoid", "s"}, {"Relu", "y"}};
  for (auto& op : ops) t = add_layer(net, op[0], op[1], {t});
  REQUIRE_OK(mirt_network_mark_output(net, t));
  mirt_builder_options o = MIRT_BUILDER_OPTIONS_INIT;
  o.backend = sv("cuda");
  o.optimization_level = 0;
  o.device_id = device_id;
  mirt_builder_config* config = nullptr;
  REQUIRE_OK(mirt_builder_config_create(&o, &config));
  // A precision constraint keeps the three layers apart (no fusion passes run with one), so their
  // activations live in the arena these tests are about.
  REQUIRE_OK(mirt_builder_config_set_layer_precision(config, sv("s"), MIRT_DTYPE_FLOAT32));
  mirt_status s = mirt_builder_build(net, config, plan);
  mirt_builder_config_destroy(config);
  mirt_network_destroy(net);
  return s;
}

float reference(float x) {
  const float s = 1.0f / (1.0f + std::exp(-std::max(x, 0.0f)));
  return std::max(s, 0.0f);
}

// An engine and a context on the GPU with device buffers for x and y.
struct gpu_run {
  plan_owner plan;
  std::unique_ptr<running_plan> running;
  mirt_engine* engine = nullptr;
  mirt_context* context = nullptr;
  float *x = nullptr, *y = nullptr;
  size_t count = 0;
  std::vector<float> host_x;
  explicit gpu_run(int64_t rows, bool user_memory = false, bool nvtx = false) {
    REQUIRE_OK(build(rows, 0, &plan.p));
    mirt_context_options co = MIRT_CONTEXT_OPTIONS_INIT;
    co.user_device_memory = user_memory ? 1 : 0;
    co.nvtx = nvtx ? 1 : 0;
    running = std::make_unique<running_plan>(plan.p, &co);
    engine = running->engine.p;
    context = running->context.p;
    count = size_t(rows) * 256;
    REQUIRE(cudaMalloc(&x, count * 4) == cudaSuccess);
    REQUIRE(cudaMalloc(&y, count * 4) == cudaSuccess);
    host_x.resize(count);
    for (size_t i = 0; i < count; ++i) host_x[i] = float(int(i % 17) - 8) / 4.0f;
    REQUIRE(cudaMemcpy(x, host_x.data(), count * 4, cudaMemcpyHostToDevice) == cudaSuccess);
    REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), x));
    REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), y));
  }
  ~gpu_run() {
    cudaFree(x);
    cudaFree(y);
  }
  // Largest |y - reference| after a synchronize.
  float error() const {
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    std::vector<float> out(count);
    REQUIRE(cudaMemcpy(out.data(), y, count * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    float worst = 0;
    for (size_t i = 0; i < count; ++i) worst = std::max(worst, std::abs(out[i] - reference(host_x[i])));
    return worst;
  }
};

}  // namespace

TEST_CASE("without a GPU, building for the cuda backend says so and names the CPU backend") {
  if (has_gpu()) {
    MESSAGE("skipped: this machine has a GPU");
    return;
  }
  mirt_plan* plan = nullptr;
  mirt_status_code code = MIRT_STATUS_OK;
  const std::string m = message_of(build(4, 0, &plan), &code);
  CHECK(plan == nullptr);
  CHECK(code == MIRT_STATUS_UNSUPPORTED);
  CHECK(m.find("no CUDA device/driver") != std::string::npos);
  CHECK(m.find("the CPU backend (--backend cpu) runs without one") != std::string::npos);
}

TEST_CASE("a device id beyond the device count fails naming the id and the count") {
  SKIP_WITHOUT_GPU();
  const int n = device_count();
  plan_owner plan;
  mirt_status_code code = MIRT_STATUS_OK;
  std::string m = message_of(build(4, n, &plan.p), &code);
  CHECK(plan.p == nullptr);
  CHECK(code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(m.find("CUDA device " + std::to_string(n) + " does not exist: this machine has " + std::to_string(n)) !=
        std::string::npos);
  REQUIRE_OK(build(4, n - 1, &plan.p));  // the last device works
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = plan.p;
  eo.device_id = n;
  mirt_test::engine_owner engine;
  m = message_of(mirt_engine_create(&eo, &engine.p), &code);
  CHECK(code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(m.find("CUDA device " + std::to_string(n)) != std::string::npos);
}

TEST_CASE("a context runs in the device memory its caller gives it") {
  SKIP_WITHOUT_GPU();
  gpu_run r(64, /*user_memory=*/true);
  uint64_t need = 0;
  REQUIRE_OK(mirt_engine_device_memory_size_for_profile(r.engine, 0, &need));
  REQUIRE(need > 0);
  mirt_status_code code = MIRT_STATUS_OK;
  CHECK(message_of(mirt_context_enqueue(r.context, nullptr), &code).find("without device memory") != std::string::npos);
  void* block = nullptr;
  REQUIRE(cudaMalloc(&block, need) == cudaSuccess);
  REQUIRE(cudaMemset(block, 0xFF, need) == cudaSuccess);
  REQUIRE_OK(mirt_context_set_device_memory(r.context, block, need));
  REQUIRE_OK(mirt_context_enqueue(r.context, nullptr));
  CHECK(r.error() < 1e-6f);
  cudaFree(block);
}

TEST_CASE("the input-consumed event is recorded on the stream within the run") {
  SKIP_WITHOUT_GPU();
  gpu_run r(1024);
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, consumed = nullptr, end = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  for (cudaEvent_t* e : {&start, &consumed, &end}) REQUIRE(cudaEventCreate(e) == cudaSuccess);
  REQUIRE_OK(mirt_context_set_input_consumed_event(r.context, consumed));
  REQUIRE(cudaEventRecord(start, stream) == cudaSuccess);
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  REQUIRE(cudaEventRecord(end, stream) == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(stream) == cudaSuccess);
  // Elapsed times exist only between recorded events: the event was recorded, between start and end.
  float before = -1, after = -1;
  CHECK(cudaEventElapsedTime(&before, start, consumed) == cudaSuccess);
  CHECK(cudaEventElapsedTime(&after, consumed, end) == cudaSuccess);
  CHECK(before >= 0);
  CHECK(after >= 0);
  CHECK(r.error() < 1e-6f);
  for (cudaEvent_t e : {start, consumed, end}) cudaEventDestroy(e);
  cudaStreamDestroy(stream);
}

TEST_CASE("the persistent cache limit is checked against the device's maximum and sets an L2 window") {
  SKIP_WITHOUT_GPU();
  int max = 0;
  REQUIRE(cudaDeviceGetAttribute(&max, cudaDevAttrMaxPersistingL2CacheSize, 0) == cudaSuccess);
  REQUIRE(max > 0);
  gpu_run r(1024);
  mirt_status_code code = MIRT_STATUS_OK;
  const std::string m = message_of(mirt_context_set_persistent_cache_limit(r.context, size_t(max) + 1), &code);
  CHECK(code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(m.find("maximum of " + std::to_string(max) + " bytes") != std::string::npos);
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  REQUIRE_OK(mirt_context_set_persistent_cache_limit(r.context, size_t(max) / 2));
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  size_t limit = 0;
  REQUIRE(cudaDeviceGetLimit(&limit, cudaLimitPersistingL2CacheSize) == cudaSuccess);
  CHECK(limit >= size_t(max) / 2);
  cudaStreamAttrValue value{};
  REQUIRE(cudaStreamGetAttribute(stream, cudaStreamAttributeAccessPolicyWindow, &value) == cudaSuccess);
  CHECK(value.accessPolicyWindow.base_ptr != nullptr);
  CHECK(value.accessPolicyWindow.num_bytes > 0);
  CHECK(value.accessPolicyWindow.hitProp == cudaAccessPropertyPersisting);
  CHECK(r.error() < 1e-6f);
  REQUIRE_OK(mirt_context_set_persistent_cache_limit(r.context, 0));
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  REQUIRE(cudaStreamGetAttribute(stream, cudaStreamAttributeAccessPolicyWindow, &value) == cudaSuccess);
  CHECK(value.accessPolicyWindow.num_bytes == 0);
  REQUIRE(cudaStreamSynchronize(stream) == cudaSuccess);
  cudaStreamDestroy(stream);
}

TEST_CASE("with NVTX ranges on, the run gives the same result") {
  SKIP_WITHOUT_GPU();
  gpu_run r(64, false, /*nvtx=*/true);
  REQUIRE_OK(mirt_context_enqueue(r.context, nullptr));
  CHECK(r.error() < 1e-6f);
}

TEST_CASE("a host pointer where a device pointer is needed is refused naming the tensor") {
  SKIP_WITHOUT_GPU();
  gpu_run r(4);
  std::vector<float> host(4 * 256);
  mirt_status_code code = MIRT_STATUS_OK;
  const std::string m = message_of(mirt_context_set_tensor_address(r.context, sv("x"), host.data()), &code);
  CHECK(code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(m.find("tensor 'x'") != std::string::npos);
  CHECK(m.find("is host memory") != std::string::npos);
}

TEST_CASE("a context too large for the device fails with OUT_OF_MEMORY saying how much and how much is free") {
  SKIP_WITHOUT_GPU();
  size_t free_bytes = 0, total = 0;
  REQUIRE(cudaMemGetInfo(&free_bytes, &total) == cudaSuccess);
  const int64_t rows = int64_t(total / 256 / 4);  // each activation as large as the whole device
  plan_owner plan;
  REQUIRE_OK(build(rows, 0, &plan.p));
  mirt_engine_options eo = MIRT_ENGINE_OPTIONS_INIT;
  eo.plan = plan.p;
  mirt_test::engine_owner engine;
  REQUIRE_OK(mirt_engine_create(&eo, &engine.p));
  mirt_test::context_owner context;
  mirt_status_code code = MIRT_STATUS_OK;
  const std::string m = message_of(mirt_context_create(engine.p, nullptr, &context.p), &code);
  MESSAGE(m);
  CHECK(context.p == nullptr);
  CHECK(code == MIRT_STATUS_OUT_OF_MEMORY);
  CHECK(m.find("activation memory") != std::string::npos);
  CHECK(m.find("MiB free of") != std::string::npos);
}

namespace {

// mirt's log lines containing needle, counted while it lives.
struct log_counter {
  std::string needle;
  std::atomic<int> count{0};
  std::mutex mutex;
  std::string last;
  explicit log_counter(std::string n) : needle(std::move(n)) { mirt_set_log_callback(&log_counter::record, this, MIRT_LOG_LEVEL_VERBOSE); }
  ~log_counter() { mirt_set_log_callback(nullptr, nullptr, MIRT_LOG_LEVEL_WARNING); }
  static void record(void* self, mirt_log_level, const char*, const char* message) {
    auto* c = static_cast<log_counter*>(self);
    if (std::string(message).find(c->needle) == std::string::npos) return;
    ++c->count;
    std::lock_guard lock(c->mutex);
    c->last = message;
  }
};

}  // namespace

TEST_CASE("graph replay records the second run into a CUDA graph and launches it, with a plain run's outputs") {
  SKIP_WITHOUT_GPU();
  gpu_run r(1024);
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  log_counter recorded("graph replay: recorded the run's 3 layers");
  REQUIRE_OK(mirt_context_set_graph_replay(r.context, 1));
  for (int run = 0; run < 3; ++run) {
    REQUIRE_OK(mirt_context_enqueue(r.context, stream));
    CHECK(r.error() < 1e-6f);
  }
  CHECK(recorded.count == 1);  // run 1 plain, run 2 recorded, run 3 launched the graph
  // New data in the same buffer: the graph reads it.
  for (float& v : r.host_x) v = -v + 0.5f;
  REQUIRE(cudaMemcpy(r.x, r.host_x.data(), r.count * 4, cudaMemcpyHostToDevice) == cudaSuccess);
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  CHECK(r.error() < 1e-6f);
  // A new input address: a plain run, then a new recording.
  float* other = nullptr;
  REQUIRE(cudaMalloc(&other, r.count * 4) == cudaSuccess);
  REQUIRE(cudaMemcpy(other, r.x, r.count * 4, cudaMemcpyDeviceToDevice) == cudaSuccess);
  std::swap(other, r.x);
  REQUIRE_OK(mirt_context_set_tensor_address(r.context, sv("x"), r.x));
  REQUIRE(cudaMemset(other, 0, r.count * 4) == cudaSuccess);  // the old buffer no longer feeds the run
  for (int run = 0; run < 2; ++run) {
    REQUIRE_OK(mirt_context_enqueue(r.context, stream));
    CHECK(r.error() < 1e-6f);
  }
  CHECK(recorded.count == 2);
  cudaFree(other);
  cudaStreamDestroy(stream);
}

TEST_CASE("graph replay runs plainly, with a warning, on the default stream and for layers that draw random numbers") {
  SKIP_WITHOUT_GPU();
  {
    gpu_run r(64);
    log_counter off("graph replay is off for this context: it runs on the default stream");
    REQUIRE_OK(mirt_context_set_graph_replay(r.context, 1));
    REQUIRE_OK(mirt_context_enqueue(r.context, nullptr));
    REQUIRE_OK(mirt_context_enqueue(r.context, nullptr));
    CHECK(r.error() < 1e-6f);
    CHECK(off.count == 1);
  }
  // x [4096] -> RandomUniformLike -> y: every run draws anew, which a graph would not.
  mirt_network* net = nullptr;
  REQUIRE_OK(mirt_network_create(nullptr, &net));
  const int64_t dims[] = {4096};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv("x"), MIRT_DTYPE_FLOAT32, 1, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_mark_output(net, add_layer(net, "RandomUniformLike", "y", {x})));
  const plan_owner plan = build_plan(net, "cuda");
  running_plan running(plan.p);
  mirt_context* context = running.context.p;
  float *dx = nullptr, *dy = nullptr;
  REQUIRE(cudaMalloc(&dx, 4096 * 4) == cudaSuccess);
  REQUIRE(cudaMalloc(&dy, 4096 * 4) == cudaSuccess);
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), dx));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), dy));
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  log_counter off("graph replay is off for this context: recording the run failed");
  REQUIRE_OK(mirt_context_set_graph_replay(context, 1));
  std::vector<std::vector<float>> draws;
  for (int run = 0; run < 3; ++run) {
    REQUIRE_OK(mirt_context_enqueue(context, stream));
    REQUIRE(cudaStreamSynchronize(stream) == cudaSuccess);
    std::vector<float> out(4096);
    REQUIRE(cudaMemcpy(out.data(), dy, 4096 * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    draws.push_back(out);
  }
  CHECK(off.count == 1);
  {
    std::lock_guard lock(off.mutex);
    CHECK(off.last.find("draws new numbers every run") != std::string::npos);
  }
  CHECK(draws[1] != draws[0]);
  CHECK(draws[2] != draws[1]);
  CHECK(std::all_of(draws[2].begin(), draws[2].end(), [](float v) { return v >= 0.f && v < 1.f; }));
  cudaStreamDestroy(stream);
  cudaFree(dx);
  cudaFree(dy);
}
