// tests/plugins/std_plugins_cuda_test.cpp — the standard plugins' CUDA kernels against their CPU
// kernels: each network is built once for the cpu backend and once for cuda (where the plugin's
// "_cuda" tactic must be the one recorded), run on the same inputs, and the outputs compared by
// error relative to the output's scale (EfficientNMS: exactly). Needs a GPU: suite 'gpu', run by tests/gpu/run.sh.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "plugins/std/tensor_util.hpp"
#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

using bytes = std::vector<std::byte>;

template <class T>
bytes to_bytes(const std::vector<T>& v) {
  bytes b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Float values stored as dtype (float32 or float16), and back.
bytes stored(const std::vector<float>& v, mirt_dtype dtype) {
  if (dtype == MIRT_DTYPE_FLOAT32) return to_bytes(v);
  std::vector<uint16_t> h;
  for (float f : v) h.push_back(mirt_std_plugins::float_to_half(f));
  return to_bytes(h);
}
std::vector<float> floats_of(const bytes& b, mirt_dtype dtype) {
  std::vector<float> out;
  if (dtype == MIRT_DTYPE_FLOAT32) {
    out.resize(b.size() / 4);
    std::memcpy(out.data(), b.data(), b.size());
  } else {
    std::vector<uint16_t> h(b.size() / 2);
    std::memcpy(h.data(), b.data(), b.size());
    for (uint16_t x : h) out.push_back(mirt_std_plugins::half_to_float(x));
  }
  return out;
}

using make_network = std::function<void(mirt_network*)>;

mirt_tensor* input(mirt_network* net, const char* name, mirt_dtype dtype, std::vector<int64_t> dims) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv(name), dtype, dims.size(), dims.data(), nullptr, &t));
  return t;
}

void plugin_layer(mirt_network* net, const char* op, const char* ns, std::vector<mirt_tensor*> inputs,
                  std::vector<mirt_attribute> fields, size_t outputs) {
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv(op);
  desc.domain = sv(ns);
  desc.name = sv("plugin");
  desc.num_inputs = inputs.size();
  desc.inputs = inputs.data();
  desc.num_attributes = fields.size();
  desc.attributes = fields.data();
  desc.num_outputs = outputs;
  std::vector<mirt_tensor*> out(outputs);
  REQUIRE_OK(mirt_network_add_layer(net, &desc, out.data()));
  for (mirt_tensor* t : out) REQUIRE_OK(mirt_network_mark_output(net, t));
}

// Builds the network for backend; returns the engine and the plan's description.
engine_owner build(const make_network& make, const char* backend, std::string* described) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  make(net.p);
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv(backend);
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(plan.p, &json));
  *described = json;
  mirt_string_free(json);
  return make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
}

// Runs a static-shape engine on inputs (by name), copying through device memory where the engine's
// I/O lives there; returns every output's bytes.
std::vector<bytes> run(mirt_engine* engine, const std::vector<std::pair<const char*, bytes>>& inputs) {
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine, nullptr, &context.p));
  std::vector<void*> device;
  std::vector<std::pair<void*, bytes*>> results;
  std::vector<bytes> outputs(mirt_engine_num_io_tensors(engine));
  for (size_t i = 0; i < outputs.size(); ++i) {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    REQUIRE_OK(mirt_engine_get_io_tensor(engine, i, &info));
    const std::string name(info.name.data, info.name.length);
    size_t size = mirt_dtype_size(info.dtype);
    for (size_t d = 0; d < info.rank; ++d) size *= size_t(info.dims[d]);
    bytes& host = outputs[i];
    if (info.is_input)
      for (const auto& [n, data] : inputs)
        if (name == n) host = data;
    host.resize(size);
    void* address = host.data();
    if (info.location == MIRT_TENSOR_LOCATION_DEVICE) {
      REQUIRE_OK(mirt_engine_alloc_device_memory(engine, size, &address));
      device.push_back(address);
      if (info.is_input)
        REQUIRE_OK(mirt_engine_copy_memory(engine, address, host.data(), size, MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr));
      else
        results.push_back({address, &host});
    }
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, info.name, address));
  }
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  for (auto& [address, host] : results)
    REQUIRE_OK(mirt_engine_copy_memory(engine, host->data(), address, host->size(), MIRT_COPY_KIND_DEVICE_TO_HOST,
                                       nullptr));
  REQUIRE_OK(mirt_engine_synchronize(engine, nullptr));
  for (void* p : device) mirt_engine_free_device_memory(engine, p);
  std::vector<bytes> out;
  for (size_t i = 0; i < outputs.size(); ++i) {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    REQUIRE_OK(mirt_engine_get_io_tensor(engine, i, &info));
    if (!info.is_input) out.push_back(outputs[i]);
  }
  return out;
}

// Outputs of the network on cpu and on cuda; checks that cuda ran the plugin's CUDA tactic.
std::pair<std::vector<bytes>, std::vector<bytes>> cpu_and_cuda(const make_network& make, const char* cuda_tactic,
                                                               const std::vector<std::pair<const char*, bytes>>& in) {
  std::string cpu_plan, cuda_plan;
  engine_owner cpu = build(make, "cpu", &cpu_plan);
  engine_owner gpu = build(make, "cuda", &cuda_plan);
  INFO(cuda_plan);
  CHECK(contains(cuda_plan, std::string("\"name\": \"") + cuda_tactic + "\""));
  return {run(cpu.p, in), run(gpu.p, in)};
}

// max |gpu - cpu| / max |cpu|: relative to the output's scale, since the kernels' sums round
// differently (float on the GPU, double on the CPU) and outputs near zero would magnify that.
double relative_error(const std::vector<float>& gpu, const std::vector<float>& cpu) {
  REQUIRE(gpu.size() == cpu.size());
  double worst = 0, scale = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    worst = std::max(worst, std::abs(double(gpu[i]) - cpu[i]));
    scale = std::max(scale, std::abs(double(cpu[i])));
  }
  return worst / std::max(scale, 1e-30);
}

}  // namespace

TEST_CASE("FastGelu with a bias: CUDA matches the CPU in float32 and float16") {
  for (mirt_dtype dtype : {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16}) {
    constexpr int64_t rows = 64, hidden = 3072;
    std::vector<float> x = random_floats(rows * hidden, 1), bias = random_floats(hidden, 2);
    for (float& v : x) v *= 5;
    auto make = [&](mirt_network* net) {
      plugin_layer(net, "FastGelu", "com.microsoft", {input(net, "x", dtype, {rows, hidden}), input(net, "bias", dtype, {hidden})},
                   {}, 1);
    };
    auto [cpu, gpu] = cpu_and_cuda(make, "std_fast_gelu_cuda", {{"x", stored(x, dtype)}, {"bias", stored(bias, dtype)}});
    const double error = relative_error(floats_of(gpu[0], dtype), floats_of(cpu[0], dtype));
    INFO(mirt_dtype_name(dtype), " relative error ", error);
    CHECK(error < (dtype == MIRT_DTYPE_FLOAT32 ? 1e-5 : 2e-3));
  }
}

TEST_CASE("SkipLayerNormalization with a broadcast skip, beta and bias: CUDA matches the CPU in float32 and float16") {
  for (mirt_dtype dtype : {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16}) {
    for (int64_t hidden : {768, 100}) {
      constexpr int64_t batch = 4, seq = 33;
      std::vector<float> x = random_floats(batch * seq * hidden, 3), skip = random_floats(seq * hidden, 4);
      std::vector<float> gamma = random_floats(hidden, 5), beta = random_floats(hidden, 6), bias = random_floats(hidden, 7);
      for (float& v : x) v = v * 3 + 1;  // a mean away from zero
      const float epsilon = 1e-5f;
      auto make = [&](mirt_network* net) {
        plugin_layer(net, "SkipLayerNormalization", "com.microsoft",
                     {input(net, "x", dtype, {batch, seq, hidden}), input(net, "skip", dtype, {seq, hidden}),
                      input(net, "gamma", dtype, {hidden}), input(net, "beta", dtype, {hidden}),
                      input(net, "bias", dtype, {hidden})},
                     {float_field("epsilon", &epsilon)}, 1);
      };
      auto [cpu, gpu] = cpu_and_cuda(make, "std_skip_layer_norm_cuda",
                                     {{"x", stored(x, dtype)}, {"skip", stored(skip, dtype)}, {"gamma", stored(gamma, dtype)},
                                      {"beta", stored(beta, dtype)}, {"bias", stored(bias, dtype)}});
      const double error = relative_error(floats_of(gpu[0], dtype), floats_of(cpu[0], dtype));
      INFO(mirt_dtype_name(dtype), " hidden ", hidden, " relative error ", error);
      CHECK(error < (dtype == MIRT_DTYPE_FLOAT32 ? 1e-5 : 4e-3));
    }
  }
}

TEST_CASE("EfficientNMS: CUDA keeps exactly the CPU's detections, in order, for each box coding") {
  constexpr int64_t batch = 3, n = 1000, classes = 7, max_out = 60;
  std::vector<float> noise = random_floats(batch * n * 4, 8), scores = random_floats(batch * n * classes, 9);
  for (float& s : scores) s = (s + 1) / 2;
  for (int64_t coding : {0, 1}) {
    for (int64_t agnostic : {0, 1}) {
      std::vector<float> boxes;
      for (int64_t i = 0; i < batch * n; ++i) {  // clustered, so that suppression happens
        const float cx = float(i % 13) * 4, cy = float(i % 7) * 4, w = 3 + noise[i * 4 + 2], h = 3 + noise[i * 4 + 3];
        const float x = cx + noise[i * 4], y = cy + noise[i * 4 + 1];
        if (coding == 0) boxes.insert(boxes.end(), {x, y, x + w, y + h});
        else boxes.insert(boxes.end(), {x + w / 2, y + h / 2, w, h});
      }
      const float score_threshold = 0.2f, iou_threshold = 0.5f;
      const int64_t k = max_out;
      auto make = [&](mirt_network* net) {
        plugin_layer(net, "EfficientNMS", "mirt.plugins",
                     {input(net, "boxes", MIRT_DTYPE_FLOAT32, {batch, n, 4}),
                      input(net, "scores", MIRT_DTYPE_FLOAT32, {batch, n, classes})},
                     {float_field("score_threshold", &score_threshold), float_field("iou_threshold", &iou_threshold),
                      int_attr("max_output_boxes", &k), int_attr("box_coding", &coding),
                      int_attr("class_agnostic", &agnostic)},
                     4);
      };
      auto [cpu, gpu] = cpu_and_cuda(make, "std_efficient_nms_cuda",
                                     {{"boxes", to_bytes(boxes)}, {"scores", to_bytes(scores)}});
      INFO("box_coding ", coding, " class_agnostic ", agnostic);
      REQUIRE(cpu.size() == 4);
      REQUIRE(gpu.size() == 4);
      std::vector<int32_t> counts(batch);
      std::memcpy(counts.data(), cpu[0].data(), batch * 4);
      for (int64_t b = 0; b < batch; ++b) CHECK(counts[b] > 0);
      for (int o = 0; o < 4; ++o) CHECK(gpu[o] == cpu[o]);  // counts, boxes, scores, classes, bit for bit
    }
  }
}
