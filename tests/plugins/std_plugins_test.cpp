// tests/plugins/std_plugins_test.cpp — the standard plugin library (plugins/std), found through its
// module manifest with no load call, built and run on the CPU backend against float64 references.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "plugins/std/tensor_util.hpp"
#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

// A network under construction plus what running it needs.
struct graph_builder {
  network_owner net;
  std::vector<std::vector<float>> keep;  // constant data outlives the build

  graph_builder() { REQUIRE_OK(mirt_network_create(nullptr, &net.p)); }
  mirt_tensor* input(const char* name, std::vector<int64_t> dims) {
    mirt_tensor* t = nullptr;
    REQUIRE_OK(mirt_network_add_input(net.p, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(), nullptr, &t));
    return t;
  }
  mirt_tensor* constant(const char* name, std::vector<int64_t> dims, std::vector<float> data) {
    keep.push_back(std::move(data));
    mirt_tensor* t = nullptr;
    REQUIRE_OK(mirt_network_add_constant(net.p, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(),
                                         keep.back().data(), keep.back().size() * 4, &t));
    return t;
  }
  std::vector<mirt_tensor*> layer(const char* op, const char* ns, std::vector<mirt_tensor*> inputs,
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
    REQUIRE_OK(mirt_network_add_layer(net.p, &desc, out.data()));
    for (mirt_tensor* t : out) REQUIRE_OK(mirt_network_mark_output(net.p, t));
    return out;
  }
  engine_owner build() {
    config_owner config;
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    options.backend = sv("cpu");
    REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
    plan_owner plan;
    REQUIRE_OK(mirt_builder_build(net.p, config.p, &plan.p));
    return make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  }
};

// Runs a static-shape engine; outputs are raw bytes of each output's size.
std::vector<std::vector<std::byte>> run_static(mirt_engine* engine, const std::vector<std::pair<const char*, const float*>>& inputs) {
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine, nullptr, &context.p));
  for (const auto& [name, data] : inputs)
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv(name), const_cast<float*>(data)));
  std::vector<std::vector<std::byte>> outputs;
  const size_t n = mirt_engine_num_io_tensors(engine);
  for (size_t i = 0; i < n; ++i) {
    mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
    REQUIRE_OK(mirt_engine_get_io_tensor(engine, i, &info));
    if (info.is_input) continue;
    size_t bytes = mirt_dtype_size(info.dtype);
    for (size_t d = 0; d < info.rank; ++d) bytes *= size_t(info.dims[d]);
    outputs.emplace_back(bytes);
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, info.name, outputs.back().data()));
  }
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  return outputs;
}

template <class T>
std::vector<T> as(const std::vector<std::byte>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

}  // namespace

TEST_CASE("com.microsoft::FastGelu with a bias matches the tanh formula in float64") {
  graph_builder g;
  mirt_tensor* x = g.input("x", {2, 3, 4});
  std::vector<float> bias = random_floats(4, 2);
  mirt_tensor* b = g.constant("bias", {4}, bias);
  g.layer("FastGelu", "com.microsoft", {x, b}, {}, 1);
  engine_owner engine = g.build();
  std::vector<float> xs = random_floats(24, 1);
  for (float& v : xs) v *= 4;
  std::vector<float> y = as<float>(run_static(engine.p, {{"x", xs.data()}})[0]);
  std::vector<double> expected;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double v = double(xs[i]) + bias[i % 4];
    expected.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
  }
  CHECK(max_relative_error(y, expected) < 1e-5);
}

TEST_CASE("com.microsoft::FastGelu in float16 matches float64 to float16's precision") {
  graph_builder g;
  const int64_t dims[] = {3, 16}, bias_dims[] = {16};
  mirt_tensor *x = nullptr, *b = nullptr;
  REQUIRE_OK(mirt_network_add_input(g.net.p, sv("x"), MIRT_DTYPE_FLOAT16, 2, dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_input(g.net.p, sv("bias"), MIRT_DTYPE_FLOAT16, 1, bias_dims, nullptr, &b));
  g.layer("FastGelu", "com.microsoft", {x, b}, {}, 1);
  engine_owner engine = g.build();
  std::vector<uint16_t> xs, bias;
  for (float v : random_floats(48, 21)) xs.push_back(mirt_std_plugins::float_to_half(v * 4));
  for (float v : random_floats(16, 22)) bias.push_back(mirt_std_plugins::float_to_half(v));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  std::vector<uint16_t> y(48);
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), xs.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("bias"), bias.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("plugin"), y.data()));
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  std::vector<float> actual;
  std::vector<double> expected;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double v = double(mirt_std_plugins::half_to_float(xs[i])) + mirt_std_plugins::half_to_float(bias[i % 16]);
    expected.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
    actual.push_back(mirt_std_plugins::half_to_float(y[i]));
  }
  CHECK(max_relative_error(actual, expected) < 2e-3);  // float16 keeps 11 bits: half an ulp is 4.9e-4
}

TEST_CASE("a standard plugin refuses dtypes it has no kernel for, naming the plugin and the dtypes") {
  for (auto [x_dtype, bias_dtype] : {std::pair{MIRT_DTYPE_INT32, MIRT_DTYPE_INT32},
                                     std::pair{MIRT_DTYPE_FLOAT16, MIRT_DTYPE_FLOAT32}}) {
    graph_builder g;
    const int64_t dims[] = {2, 4}, bias_dims[] = {4};
    mirt_tensor *x = nullptr, *b = nullptr;
    REQUIRE_OK(mirt_network_add_input(g.net.p, sv("x"), x_dtype, 2, dims, nullptr, &x));
    REQUIRE_OK(mirt_network_add_input(g.net.p, sv("bias"), bias_dtype, 1, bias_dims, nullptr, &b));
    g.layer("FastGelu", "com.microsoft", {x, b}, {}, 1);
    config_owner config;
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    options.backend = sv("cpu");
    REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
    plan_owner plan;
    std::string message;
    EXPECT_FAILURE(mirt_builder_build(g.net.p, config.p, &plan.p), MIRT_STATUS_UNSUPPORTED, message);
    INFO(message);
    CHECK(contains(message, "com.microsoft::FastGelu"));
    CHECK(contains(message, std::string("does not support inputs (") + mirt_dtype_name(x_dtype) + ", " +
                                mirt_dtype_name(bias_dtype) + ")"));
  }
}

TEST_CASE("com.microsoft::SkipLayerNormalization with a broadcast skip, beta and bias matches float64") {
  constexpr int rows = 6, hidden = 8;
  graph_builder g;
  mirt_tensor* x = g.input("x", {2, 3, hidden});
  mirt_tensor* skip = g.input("skip", {3, hidden});
  std::vector<float> gamma = random_floats(hidden, 3), beta = random_floats(hidden, 4), bias = random_floats(hidden, 5);
  const float epsilon = 1e-5f;
  mirt_attribute eps{sv("epsilon"), MIRT_ATTRIBUTE_TYPE_FLOAT, 1, nullptr, &epsilon, nullptr};
  g.layer("SkipLayerNormalization", "com.microsoft",
          {x, skip, g.constant("gamma", {hidden}, gamma), g.constant("beta", {hidden}, beta),
           g.constant("bias", {hidden}, bias)},
          {eps}, 1);
  engine_owner engine = g.build();
  std::vector<float> xs = random_floats(rows * hidden, 6), ss = random_floats(3 * hidden, 7);
  std::vector<float> y = as<float>(run_static(engine.p, {{"x", xs.data()}, {"skip", ss.data()}})[0]);
  std::vector<double> expected;
  for (int r = 0; r < rows; ++r) {
    std::vector<double> s(hidden);
    for (int h = 0; h < hidden; ++h) s[h] = double(xs[r * hidden + h]) + ss[(r % 3) * hidden + h] + bias[h];
    const double mean = std::accumulate(s.begin(), s.end(), 0.0) / hidden;
    double var = 0;
    for (double v : s) var += (v - mean) * (v - mean);
    var /= hidden;
    for (int h = 0; h < hidden; ++h) expected.push_back((s[h] - mean) / std::sqrt(var + epsilon) * gamma[h] + beta[h]);
  }
  CHECK(max_relative_error(y, expected) < 1e-4);
}

namespace {

// Reference NMS, written independently of the plugin: a full suppression matrix, then a greedy pass.
struct detection {
  float score;
  int box, cls;
};
std::vector<detection> reference_nms(const std::vector<float>& boxes, const std::vector<float>& scores, int n, int c,
                                     float score_threshold, float iou_threshold, int max_out) {
  auto area = [&](int i) { return (boxes[i * 4 + 2] - boxes[i * 4]) * (boxes[i * 4 + 3] - boxes[i * 4 + 1]); };
  std::vector<std::vector<double>> overlap(n, std::vector<double>(n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double w = std::max(0.0f, std::min(boxes[i * 4 + 2], boxes[j * 4 + 2]) - std::max(boxes[i * 4], boxes[j * 4]));
      const double h = std::max(0.0f, std::min(boxes[i * 4 + 3], boxes[j * 4 + 3]) - std::max(boxes[i * 4 + 1], boxes[j * 4 + 1]));
      overlap[i][j] = w * h / (area(i) + area(j) - w * h);
    }
  std::vector<detection> all;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < c; ++k)
      if (scores[i * c + k] > score_threshold) all.push_back({scores[i * c + k], i, k});
  std::stable_sort(all.begin(), all.end(), [](const detection& a, const detection& b) { return a.score > b.score; });
  std::vector<detection> kept;
  for (const detection& d : all) {
    if (int(kept.size()) == max_out) break;
    if (std::none_of(kept.begin(), kept.end(),
                     [&](const detection& k) { return k.cls == d.cls && overlap[k.box][d.box] > iou_threshold; }))
      kept.push_back(d);
  }
  return kept;
}

}  // namespace

TEST_CASE("mirt.plugins::EfficientNMS keeps what an independent reference NMS keeps, in order, zero-padded") {
  constexpr int n = 40, c = 3, max_out = 12;
  // Boxes clustered around a few centres, so that suppression really happens.
  std::vector<float> boxes, noise = random_floats(n * 4, 11), scores = random_floats(n * c, 12);
  for (int i = 0; i < n; ++i) {
    const float cx = float(i % 5) * 3, cy = float(i % 3) * 3;
    boxes.insert(boxes.end(), {cx + noise[i * 4] * 0.4f, cy + noise[i * 4 + 1] * 0.4f, cx + 2 + noise[i * 4 + 2] * 0.4f,
                               cy + 2 + noise[i * 4 + 3] * 0.4f});
  }
  for (float& s : scores) s = (s + 1) / 2;
  graph_builder g;
  mirt_tensor* bt = g.input("boxes", {1, n, 4});
  mirt_tensor* st = g.input("scores", {1, n, c});
  const float score_threshold = 0.3f, iou_threshold = 0.45f;
  const int64_t max_boxes = max_out;
  g.layer("EfficientNMS", "mirt.plugins", {bt, st},
          {float_field("score_threshold", &score_threshold), float_field("iou_threshold", &iou_threshold),
           int_attr("max_output_boxes", &max_boxes)},
          4);
  engine_owner engine = g.build();
  auto out = run_static(engine.p, {{"boxes", boxes.data()}, {"scores", scores.data()}});
  const std::vector<detection> expected = reference_nms(boxes, scores, n, c, score_threshold, iou_threshold, max_out);
  const int count = as<int32_t>(out[0])[0];
  std::vector<float> out_boxes = as<float>(out[1]), out_scores = as<float>(out[2]);
  std::vector<int32_t> out_classes = as<int32_t>(out[3]);
  REQUIRE(count == int(expected.size()));
  CHECK(count > 0);
  for (int j = 0; j < count; ++j) {
    CHECK(out_scores[j] == expected[j].score);
    CHECK(out_classes[j] == expected[j].cls);
    for (int q = 0; q < 4; ++q) CHECK(out_boxes[j * 4 + q] == boxes[expected[j].box * 4 + q]);
  }
  for (int j = count; j < max_out; ++j) CHECK(out_scores[j] == 0.0f);
}

TEST_CASE("EfficientNMS refuses boxes whose last dim is not 4, naming the plugin") {
  graph_builder g;
  mirt_tensor* bt = g.input("boxes", {1, 5, 3});
  mirt_tensor* st = g.input("scores", {1, 5, 2});
  const int64_t max_boxes = 4;
  g.layer("EfficientNMS", "mirt.plugins", {bt, st}, {int_attr("max_output_boxes", &max_boxes)}, 4);
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(g.net.p, config.p, &plan.p), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(contains(message, "mirt.plugins::EfficientNMS"));
  CHECK(contains(message, "[batch, boxes, 4]"));
}

TEST_CASE("a plugin layer added without an output count gets the plugin's own count") {
  graph_builder g;
  mirt_tensor* bt = g.input("boxes", {1, 5, 4});
  mirt_tensor* st = g.input("scores", {1, 5, 2});
  const int64_t max_boxes = 3;
  mirt_attribute field = int_attr("max_output_boxes", &max_boxes);
  mirt_tensor* inputs[] = {bt, st};
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv("EfficientNMS");
  desc.domain = sv("mirt.plugins");
  desc.name = sv("nms");
  desc.num_inputs = 2;
  desc.inputs = inputs;
  desc.num_attributes = 1;
  desc.attributes = &field;
  mirt_tensor* outputs[8] = {};
  REQUIRE_OK(mirt_network_add_layer(g.net.p, &desc, outputs));
  for (int o = 0; o < 4; ++o) CHECK(outputs[o] != nullptr);
  CHECK(outputs[4] == nullptr);
  CHECK(std::string(mirt_tensor_get_name(outputs[3]).data, mirt_tensor_get_name(outputs[3]).length) == "nms:3");
}
