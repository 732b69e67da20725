// tests/backends/cpu/test_quant_linear.cpp — QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear on the edges the ONNX node tests leave out (ties, saturation, a middle
// axis, blocks that do not divide the axis, bad scale shapes), against float64 loops.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"
#include "tests/backends/cpu/test_quant_reference.hpp"

using namespace cpu_test;
using namespace quant_test;

namespace {

// ONNX divides in the scale's type (float32 here), then rounds.
template <class Q>
int64_t quantize_ref(float x, float scale, double zp) {
  return requantize<Q>(double(x / scale), zp);
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("QuantizeLinear rounds ties to even and saturates, for int8 and uint8") {
  // Exact halves (x / 0.5 lands on .5 multiples... x / 1 here) and values far outside the range.
  const std::vector<float> x = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, 127.5f, -128.5f, 1000, -1000, 3.49f};
  const shape_t s = {int64_t(x.size())};
  {
    op_call call{"QuantizeLinear", {f32(s, x), f32({}, {1.0f}), q8<int8_t>({}, {0})}, {{MIRT_DTYPE_INT8, s}}};
    op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    const auto got = as_ints<int8_t>(r.outputs[0]);
    for (size_t i = 0; i < x.size(); ++i) CHECK_MESSAGE(got[i] == quantize_ref<int8_t>(x[i], 1, 0), "x = ", x[i]);
  }
  {
    // uint8 with zero point 128: -1000 saturates to 0, 1000 to 255; the zero point adds after rounding.
    op_call call{"QuantizeLinear", {f32(s, x), f32({}, {1.0f}), q8<uint8_t>({}, {128})}, {{MIRT_DTYPE_UINT8, s}}};
    op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    const auto got = as_ints<uint8_t>(r.outputs[0]);
    for (size_t i = 0; i < x.size(); ++i) CHECK_MESSAGE(got[i] == quantize_ref<uint8_t>(x[i], 1, 128), "x = ", x[i]);
  }
}

TEST_CASE("QuantizeLinear per-axis on a middle axis, also given as a negative axis") {
  const shape_t s = {2, 3, 4};
  const auto x = random_floats(24, -4, 4, 21);
  const std::vector<float> scale = {0.05f, 0.1f, 0.02f};
  const std::vector<uint8_t> zp = {10, 128, 250};
  for (const int64_t axis : {1, -2}) {
    op_call call{"QuantizeLinear", {f32(s, x), f32({3}, scale), q8<uint8_t>({3}, zp)}, {{MIRT_DTYPE_UINT8, s}},
                 {attr_i("axis", axis)}};
    op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    const auto got = as_ints<uint8_t>(r.outputs[0]);
    for (int64_t i = 0; i < 24; ++i) {
      const size_t c = size_t((i / 4) % 3);
      CHECK(got[size_t(i)] == quantize_ref<uint8_t>(x[size_t(i)], scale[c], zp[c]));
    }
  }
}

TEST_CASE("QuantizeLinear blocked on axis 1 with a block that does not divide the axis") {
  const shape_t s = {2, 5, 3};  // axis 1 of 5 in blocks of 2: 3 blocks, the last one short
  const auto x = random_floats(30, -2, 2, 5);
  const auto scale = random_floats(2 * 3 * 3, 0.01f, 0.05f, 6);
  std::vector<int8_t> zp(18);
  for (size_t i = 0; i < zp.size(); ++i) zp[i] = int8_t(int(i) * 7 % 21 - 10);
  op_call call{"QuantizeLinear", {f32(s, x), f32({2, 3, 3}, scale), q8<int8_t>({2, 3, 3}, zp)}, {{MIRT_DTYPE_INT8, s}},
               {attr_i("axis", 1), attr_i("block_size", 2)}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto got = as_ints<int8_t>(r.outputs[0]);
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t d = 0; d < 5; ++d)
      for (int64_t i = 0; i < 3; ++i) {
        const size_t e = size_t((o * 5 + d) * 3 + i), p = size_t((o * 3 + d / 2) * 3 + i);
        CHECK(got[e] == quantize_ref<int8_t>(x[e], scale[p], zp[p]));
      }
}

TEST_CASE("QuantizeLinear and DequantizeLinear name the scale when its shape fits no granularity") {
  const auto x = random_floats(24, -1, 1, 2);
  op_call call{"QuantizeLinear", {f32({2, 3, 4}, x), f32({2}, {0.1f, 0.2f})}, {{MIRT_DTYPE_UINT8, {2, 3, 4}}},
               {attr_i("axis", 1)}};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("y_scale") != std::string::npos);
  CHECK(r.message.find("[3]") != std::string::npos);
  call.attrs = {attr_i("axis", 3)};
  r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message.find("'axis' is 3") != std::string::npos);
  op_call deq{"DequantizeLinear", {q8<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 2}, {1, 1, 1, 1})},
              {{MIRT_DTYPE_FLOAT32, {2, 3}}}, {attr_i("axis", 1), attr_i("block_size", 1)}};
  r = run(deq);
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("x_scale") != std::string::npos);
}

TEST_CASE("DequantizeLinear per-axis on a middle axis for int8, and int32 without a zero point") {
  const shape_t s = {2, 3, 2};
  std::vector<int8_t> x(12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = int8_t(int(i) * 23 % 256 - 128);
  const std::vector<float> scale = {0.5f, 0.25f, 2.0f};
  const std::vector<int8_t> zp = {-128, 0, 127};
  op_call call{"DequantizeLinear", {q8<int8_t>(s, x), f32({3}, scale), q8<int8_t>({3}, zp)}, {{MIRT_DTYPE_FLOAT32, s}},
               {attr_i("axis", 1)}};
  std::vector<double> want(12);
  for (size_t i = 0; i < 12; ++i) {
    const size_t c = (i / 2) % 3;
    want[i] = (double(x[i]) - zp[c]) * scale[c];
  }
  check_close(run_f32(call), want, 0);
  const std::vector<int32_t> big = {1 << 20, -(1 << 20), 7, -7};
  op_call wide{"DequantizeLinear", {i32({4}, big), f32({}, {0.125f})}, {{MIRT_DTYPE_FLOAT32, {4}}}};
  std::vector<double> want_wide;
  for (int32_t v : big) want_wide.push_back(v * 0.125);
  check_close(run_f32(wide), want_wide, 0);
}

TEST_CASE("DynamicQuantizeLinear covers zero in its range, and takes scale 1 for an all-zero input") {
  const std::vector<float> x = {0.5f, 1.0f, 3.0f, 2.25f};  // min adjusted to 0: zero point 0
  op_call call{"DynamicQuantizeLinear", {f32({4}, x)},
               {{MIRT_DTYPE_UINT8, {4}}, {MIRT_DTYPE_FLOAT32, {}}, {MIRT_DTYPE_UINT8, {}}}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const double scale = 3.0 / 255;
  CHECK(r.outputs[1].values<float>()[0] == doctest::Approx(scale).epsilon(1e-6));
  CHECK(r.outputs[2].values<uint8_t>()[0] == 0);
  const auto y = as_ints<uint8_t>(r.outputs[0]);
  for (size_t i = 0; i < x.size(); ++i) CHECK(y[i] == quantize_ref<uint8_t>(x[i], float(scale), 0));
  op_call zeros{"DynamicQuantizeLinear", {f32({3}, {0, 0, 0})}, call.outputs};
  zeros.outputs[0].shape = {3};
  r = run(zeros);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[1].values<float>()[0] == 1.0f);
  CHECK(r.outputs[2].values<uint8_t>()[0] == 0);
  CHECK(as_ints<uint8_t>(r.outputs[0]) == std::vector<int64_t>{0, 0, 0});
}

}  // TEST_SUITE
