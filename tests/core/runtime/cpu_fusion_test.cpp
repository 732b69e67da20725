// tests/core/runtime/cpu_fusion_test.cpp — the builder's fusion passes on the cpu backend: a Linear
// layer with GELU spelled out in Erf becomes one mirt::FusedMatMul layer, and Conv + residual Add +
// Clip (ReLU6) one mirt::FusedConv, elementwise chains one mirt::FusedElementwise, and each still
// computes what the unfused layers define.
#include <algorithm>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct recorded_layers {
  std::vector<std::string> ops;
};

void record(void* user_data, const char*, const char* op, const char*, float) {
  static_cast<recorded_layers*>(user_data)->ops.push_back(op);
}

mirt_tensor* constant(mirt_network* net, const char* name, std::vector<int64_t> dims, const std::vector<float>& values) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(), values.data(),
                                       values.size() * sizeof(float), &t));
  return t;
}

// Builds for cpu, runs once on x, and returns y (the layer named "y" makes the output "y") and the op of every layer that ran.
std::vector<float> build_and_run(mirt_network* net, const std::vector<float>& x, size_t y_size, recorded_layers& layers) {
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.optimization_level = 0;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net, config.p, &plan.p));
  engine_owner engine;
  mirt_engine_options engine_options = MIRT_ENGINE_OPTIONS_INIT;
  engine_options.plan = plan.p;
  REQUIRE_OK(mirt_engine_create(&engine_options, &engine.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  std::vector<float> xs = x, ys(y_size);
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), xs.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("y"), ys.data()));
  REQUIRE_OK(mirt_context_set_profiler(context.p, record, &layers));
  REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
  return ys;
}

}  // namespace

TEST_CASE("cpu: MatMul + bias Add + GELU written with Erf run as one FusedMatMul layer") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t rows = 3, k = 4, n = 5;
  const int64_t x_dims[] = {1, rows, k};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  const std::vector<float> w = random_floats(k * n, 3), b = random_floats(n, 4);
  mirt_tensor* h = add_layer(net.p, "Add", "bias", {add_layer(net.p, "MatMul", "mm", {x, constant(net.p, "w", {k, n}, w)}),
                                                    constant(net.p, "b", {n}, b)});
  // PyTorch's export of exact GELU: Mul(Mul(h, Add(Erf(Div(h, sqrt 2)), 1)), 0.5)
  mirt_tensor* e = add_layer(net.p, "Erf", "erf", {add_layer(net.p, "Div", "div", {h, constant(net.p, "sqrt2", {}, {1.4142135f})})});
  mirt_tensor* p = add_layer(net.p, "Mul", "mul", {h, add_layer(net.p, "Add", "plus1", {e, constant(net.p, "one", {}, {1.f})})});
  mirt_tensor* y = add_layer(net.p, "Mul", "y", {p, constant(net.p, "half", {}, {0.5f})});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));

  const std::vector<float> xs = random_floats(rows * k, 5);
  recorded_layers layers;
  const std::vector<float> ys = build_and_run(net.p, xs, rows * n, layers);
  CHECK(layers.ops == std::vector<std::string>{"FusedMatMul"});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < n; ++c) {
      double v = b[c];
      for (int64_t q = 0; q < k; ++q) v += double(xs[r * k + q]) * w[q * n + c];
      CHECK(ys[r * n + c] == doctest::Approx(0.5 * v * (1 + std::erf(v / std::sqrt(2.0)))).epsilon(1e-5));
    }
}

TEST_CASE("cpu: Conv + residual Add + Clip(0, 6) run as one FusedConv layer") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 2, 3, 3};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  std::vector<float> w = random_floats(2 * 2, 6);
  for (float& v : w) v *= 8;  // outputs beyond both bounds of Clip
  mirt_tensor* conv = add_layer(net.p, "Conv", "conv", {x, constant(net.p, "w", {2, 2, 1, 1}, w)});
  mirt_tensor* sum = add_layer(net.p, "Add", "residual", {conv, x});
  mirt_tensor* y = add_layer(net.p, "Clip", "y", {sum, constant(net.p, "lo", {}, {0.f}), constant(net.p, "hi", {}, {6.f})});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));

  std::vector<float> xs = random_floats(18, 7);
  for (float& v : xs) v *= 3;
  recorded_layers layers;
  const std::vector<float> ys = build_and_run(net.p, xs, 18, layers);
  CHECK(layers.ops == std::vector<std::string>{"FusedConv"});
  size_t clipped_low = 0, clipped_high = 0;
  for (int co = 0; co < 2; ++co)
    for (int i = 0; i < 9; ++i) {
      double v = xs[co * 9 + i];
      for (int ci = 0; ci < 2; ++ci) v += double(w[co * 2 + ci]) * xs[ci * 9 + i];
      clipped_low += v < 0, clipped_high += v > 6;
      CHECK(ys[co * 9 + i] == doctest::Approx(std::clamp(v, 0.0, 6.0)).epsilon(1e-5));
    }
  CHECK(clipped_low > 0);  // the data exercises both bounds
  CHECK(clipped_high > 0);
}

TEST_CASE("cpu: a residual Add feeding LayerNormalization runs as one SkipLayerNormalization layer") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t rows = 3, n = 8;
  const int64_t x_dims[] = {1, rows, n};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  // The sublayer (a Linear layer) and the residual around it, as a BERT layer ends.
  const std::vector<float> w = random_floats(n * n, 8), b = random_floats(n, 9), g = random_floats(n, 10), beta = random_floats(n, 11);
  mirt_tensor* h = add_layer(net.p, "Add", "bias", {add_layer(net.p, "MatMul", "mm", {x, constant(net.p, "w", {n, n}, w)}),
                                                    constant(net.p, "b", {n}, b)});
  mirt_tensor* sum = add_layer(net.p, "Add", "residual", {x, h});
  const int64_t axis = -1;
  mirt_tensor* y = add_layer(net.p, "LayerNormalization", "y", {sum, constant(net.p, "g", {n}, g), constant(net.p, "beta", {n}, beta)},
                             {int_attr("axis", &axis)});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));

  const std::vector<float> xs = random_floats(rows * n, 12);
  recorded_layers layers;
  const std::vector<float> ys = build_and_run(net.p, xs, rows * n, layers);
  CHECK(layers.ops == std::vector<std::string>{"FusedMatMul", "SkipLayerNormalization"});
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> v(n);
    double mean = 0, var = 0;
    for (int64_t c = 0; c < n; ++c) {
      v[c] = double(xs[r * n + c]) + b[c];
      for (int64_t q = 0; q < n; ++q) v[c] += double(xs[r * n + q]) * w[q * n + c];
      mean += v[c] / n;
    }
    for (int64_t c = 0; c < n; ++c) var += (v[c] - mean) * (v[c] - mean) / n;
    for (int64_t c = 0; c < n; ++c)
      CHECK(ys[r * n + c] == doctest::Approx((v[c] - mean) / std::sqrt(var + 1e-5) * g[c] + beta[c]).epsilon(1e-4));
  }
}

TEST_CASE("cpu: elementwise layers whose first operand is a scalar constant fuse over their tensor operand") {
  // BERT's additive mask: (1 - mask) * -10000, where the Sub's tensor operand comes second.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t dims[2] = {2, 5};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, dims, nullptr, &x));
  mirt_tensor* flipped = add_layer(net.p, "Sub", "flip", {constant(net.p, "one", {}, {1.f}), x});
  mirt_tensor* y = add_layer(net.p, "Mul", "y", {flipped, constant(net.p, "big", {}, {-10000.f})});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  const std::vector<float> xs = {1, 1, 1, 0, 0, 1, 0, 1, 0.25f, -2};
  recorded_layers layers;
  const std::vector<float> ys = build_and_run(net.p, xs, xs.size(), layers);
  CHECK(layers.ops == std::vector<std::string>{"FusedElementwise"});
  std::vector<double> expected;
  for (float v : xs) expected.push_back((1.0 - v) * -10000.0);
  CHECK(max_relative_error(ys, expected) < 1e-6);
}
