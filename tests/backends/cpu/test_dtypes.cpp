// tests/backends/cpu/test_dtypes.cpp — the int8/uint8, float16 and mixed-dtype forms of the
// elementwise ops, against float64 loops.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// float16 bits of small values exactly representable in float16 (the tests pick such values).
uint16_t half_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t e = (x >> 23) & 0xff, m = x & 0x7fffff;
  return uint16_t(((x >> 16) & 0x8000) | ((e - 112) << 10) | (m >> 13));
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("int8 Add wraps, uint8 Mod and Less work with broadcasting") {
  op_call add{"Add", {tensor_data::of<int8_t>(MIRT_DTYPE_INT8, {3}, {100, -100, 5}),
                      tensor_data::of<int8_t>(MIRT_DTYPE_INT8, {1}, {100})},
              {{MIRT_DTYPE_INT8, {3}}}};
  op_result r = run(add);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int8_t>() == std::vector<int8_t>{-56, 0, 105});
  op_call mod{"Mod", {tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {2, 2}, {250, 7, 9, 0}),
                      tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {2}, {7, 4})},
              {{MIRT_DTYPE_UINT8, {2, 2}}}};
  r = run(mod);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{250 % 7, 7 % 4, 9 % 7, 0});
  op_call less{"Less", {tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {3}, {1, 200, 3}),
                        tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {3}, {2, 100, 3})},
               {{MIRT_DTYPE_BOOL, {3}}}};
  r = run(less);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{1, 0, 0});
}

TEST_CASE("float16 Mul and Max compute in float32 and round to float16") {
  const std::vector<float> a = {1.5f, -2.0f, 0.25f}, b = {3.0f, 0.5f, -8.0f};
  std::vector<uint16_t> ha, hb;
  for (size_t i = 0; i < 3; ++i) ha.push_back(half_bits(a[i])), hb.push_back(half_bits(b[i]));
  for (const char* op : {"Mul", "Max"}) {
    op_call call{op, {tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, {3}, ha), tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, {3}, hb)},
                 {{MIRT_DTYPE_FLOAT16, {3}}}};
    op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    std::vector<uint16_t> want;
    for (size_t i = 0; i < 3; ++i) want.push_back(half_bits(std::string(op) == "Mul" ? a[i] * b[i] : std::max(a[i], b[i])));
    CHECK(r.outputs[0].values<uint16_t>() == want);
  }
}

TEST_CASE("Pow takes an exponent of another dtype than the base") {
  op_call call{"Pow", {f32({3}, {2.0f, 9.0f, -3.0f}), i64({3}, {3, 0, 2})}, {{MIRT_DTYPE_FLOAT32, {3}}}};
  check_close(run_f32(call), {8, 1, 9});
  op_call ints{"Pow", {i32({2}, {3, -2}), f32({1}, {3.0f})}, {{MIRT_DTYPE_INT32, {2}}}};
  op_result r = run(ints);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int32_t>() == std::vector<int32_t>{27, -8});
}

TEST_CASE("Exp and Sigmoid of float64 compute in double") {
  const std::vector<double> x = {-30.0, -1.0, 0.0, 0.5, 20.0};
  op_call call{"Exp", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, {5}, x)}, {{MIRT_DTYPE_FLOAT64, {5}}}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto got = r.outputs[0].values<double>();
  for (size_t i = 0; i < x.size(); ++i) CHECK(got[i] == doctest::Approx(std::exp(x[i])).epsilon(1e-14));
  call.op = "Sigmoid";
  r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto sig = r.outputs[0].values<double>();
  for (size_t i = 0; i < x.size(); ++i) CHECK(sig[i] == doctest::Approx(1 / (1 + std::exp(-x[i]))).epsilon(1e-14));
}

}  // TEST_SUITE

TEST_SUITE("cpu") {

TEST_CASE("IsInf honours detect_negative/detect_positive, and BitShift by the width or more gives 0") {
  op_call inf{"IsInf", {f32({4}, {INFINITY, -INFINITY, NAN, 1})}, {{MIRT_DTYPE_BOOL, {4}}}, {attr_i("detect_positive", 0)}};
  op_result r = run(inf);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{0, 1, 0, 0});
  op_call shift{"BitShift", {tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {3}, {0x81, 3, 255}),
                             tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {3}, {1, 8, 200})},
                {{MIRT_DTYPE_UINT8, {3}}}, {attr_s("direction", "LEFT")}};
  r = run(shift);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{0x02, 0, 0});
}

TEST_CASE("LpPool with p=3 and padding matches the reference") {
  const std::vector<float> x = {1, -2, 3, 4, 5, -6};  // [1, 1, 6]
  op_call call{"LpPool", {f32({1, 1, 6}, x)}, {{MIRT_DTYPE_FLOAT32, {1, 1, 3}}},
               {attr_ints("kernel_shape", {3}), attr_ints("strides", {2}), attr_ints("pads", {1, 0}), attr_i("p", 3)}};
  auto lp = [&](std::initializer_list<int> idx) {
    double s = 0;
    for (int i : idx) s += std::pow(std::fabs(double(x[size_t(i)])), 3);
    return std::cbrt(s);
  };
  check_close(run_f32(call), {lp({0, 1}), lp({1, 2, 3}), lp({3, 4, 5})});
}

}  // TEST_SUITE

TEST_SUITE("cpu") {

TEST_CASE("QuantizeLinear rounds half to even and saturates; DequantizeLinear inverts it per axis") {
  op_call q{"QuantizeLinear", {f32({2, 3}, {0.5f, 1.5f, 2.5f, -1000, 1000, -0.5f}), f32({2}, {1, 2}),
                               tensor_data::of<int8_t>(MIRT_DTYPE_INT8, {2}, {0, 10})},
            {{MIRT_DTYPE_INT8, {2, 3}}}, {attr_i("axis", 0)}};
  op_result r = run(q);
  REQUIRE(r.code == MIRT_STATUS_OK);
  // Row 0: scale 1, zp 0: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2. Row 1: scale 2, zp 10: -500 -> -128, 500 -> 127, -0.25 -> 10.
  CHECK(r.outputs[0].values<int8_t>() == std::vector<int8_t>{0, 2, 2, -128, 127, 10});
  op_call dq{"DequantizeLinear", {r.outputs[0], f32({2}, {1, 2}), tensor_data::of<int8_t>(MIRT_DTYPE_INT8, {2}, {0, 10})},
             {{MIRT_DTYPE_FLOAT32, {2, 3}}}, {attr_i("axis", 0)}};
  check_close(run_f32(dq), {0, 2, 2, -276, 234, 0});
}

}  // TEST_SUITE
