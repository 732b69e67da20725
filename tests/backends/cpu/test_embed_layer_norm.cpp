// tests/backends/cpu/test_embed_layer_norm.cpp — mirt::EmbedLayerNormalization on the cpu backend
// against a float64 loop: int32 and int64 indices (negative ones count from the end), an Addend of
// [1, S, H], [S, H], [H] or none, B present or not; an Addend that does not repeat by whole rows and
// an out-of-range index fail with messages naming them.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

constexpr int64_t V = 13;  // table rows

// LayerNorm(table[ids[r]] + addend[r % addend rows]) per row r, in float64.
std::vector<double> reference(const std::vector<int64_t>& ids, const std::vector<float>& table, int64_t h, const std::vector<float>& addend,
                              const std::vector<float>& scale, const std::vector<float>& bias, double epsilon) {
  const int64_t period = addend.empty() ? 1 : int64_t(addend.size()) / h;
  std::vector<double> y(ids.size() * size_t(h));
  for (size_t r = 0; r < ids.size(); ++r) {
    const int64_t k = ids[r] < 0 ? ids[r] + V : ids[r];
    std::vector<double> v(static_cast<size_t>(h), 0.0);
    double mean = 0, var = 0;
    for (int64_t i = 0; i < h; ++i) {
      v[size_t(i)] = double(table[size_t(k * h + i)]) + (addend.empty() ? 0.0 : addend[size_t((int64_t(r) % period) * h + i)]);
      mean += v[size_t(i)] / double(h);
    }
    for (double x : v) var += (x - mean) * (x - mean) / double(h);
    for (int64_t i = 0; i < h; ++i)
      y[r * size_t(h) + size_t(i)] = (v[size_t(i)] - mean) / std::sqrt(var + epsilon) * scale[size_t(i)] + (bias.empty() ? 0.0 : bias[size_t(i)]);
  }
  return y;
}

std::vector<int64_t> some_ids(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = (i * 5) % (2 * V) - V;  // -V .. V-1
  return v;
}

}  // namespace

TEST_CASE("EmbedLayerNormalization matches a float64 loop for every Addend shape, index type and with or without B") {
  const int64_t b = 3, s = 6, h = 24;
  const std::vector<int64_t> ids = some_ids(b * s);
  const std::vector<float> table = random_floats(V * h, -2, 2, 81), scale = random_floats(h, 0.5f, 1.5f, 82), bias = random_floats(h, -1, 1, 83);
  for (const shape_t& addend_shape : {shape_t{1, s, h}, shape_t{s, h}, shape_t{h}, shape_t{}}) {
    for (const bool int64 : {true, false}) {
      for (const bool with_bias : {true, false}) {
        CAPTURE(addend_shape.size());
        CAPTURE(int64);
        CAPTURE(with_bias);
        const std::vector<float> addend = addend_shape.empty() ? std::vector<float>{} : random_floats(numel(addend_shape), -1, 1, 84);
        op_call call{"EmbedLayerNormalization",
                     {int64 ? i64({b, s}, ids) : i32({b, s}, std::vector<int32_t>(ids.begin(), ids.end())), f32({V, h}, table, true),
                      addend_shape.empty() ? omitted() : f32(addend_shape, addend, true), f32({h}, scale, true)},
                     {{MIRT_DTYPE_FLOAT32, {b, s, h}}},
                     {attr_f("epsilon", 1e-12f)}};
        if (with_bias) call.inputs.push_back(f32({h}, bias, true));
        check_close(run_f32(call), reference(ids, table, h, addend, scale, with_bias ? bias : std::vector<float>{}, 1e-12), 1e-5);
      }
    }
  }
}

TEST_CASE("EmbedLayerNormalization names an Addend that does not repeat by rows and an out-of-range index") {
  const int64_t s = 4, h = 8;
  std::vector<int64_t> ids = some_ids(2 * s);
  const auto call_with = [&](const shape_t& addend_shape) {
    return op_call{"EmbedLayerNormalization",
                   {i64({2, s}, ids), f32({V, h}, random_floats(V * h, -1, 1, 85), true),
                    f32(addend_shape, random_floats(numel(addend_shape), -1, 1, 86), true), f32({h}, random_floats(h, -1, 1, 87), true)},
                   {{MIRT_DTYPE_FLOAT32, {2, s, h}}}};
  };
  const op_result columns = run(call_with({s, 1, h}));
  CHECK(columns.code == MIRT_STATUS_INVALID_SHAPE);
  INFO(columns.message);
  CHECK(columns.message.find("Addend [4,1,8] does not repeat by whole rows over the output [2,4,8]") != std::string::npos);
  ids[3] = -V - 1;
  const op_result bad = run(call_with({s, h}));
  CHECK(bad.code == MIRT_STATUS_INVALID_ARGUMENT);
  INFO(bad.message);
  CHECK(bad.message.find("index -14 at position 3 is out of range for axis 0 of extent 13") != std::string::npos);
}
