// tests/backends/cpu/test_layout.cpp — the channels-last layers of the builder's layout pass on the
// cpu backend: mirt::Reformat against a host transpose (several element sizes), and mirt::MaxPool
// with layout NHWC against the NCHW MaxPool on the same data.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// Element (n, c, h, w) of an [N,C,H,W] tensor: its flat index in NCHW and in NHWC memory.
int64_t nchw_at(const shape_t& s, int64_t n, int64_t c, int64_t p) { return (n * s[1] + c) * s[2] * s[3] + p; }
int64_t nhwc_at(const shape_t& s, int64_t n, int64_t c, int64_t p) { return (n * s[2] * s[3] + p) * s[1] + c; }

template <class T>
void check_reformat(mirt_dtype dtype, const shape_t& s) {
  std::vector<T> x(size_t(numel(s)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = T(i * 7 % 251);
  const op_result to = run({"Reformat", {tensor_data::of(dtype, s, x)}, {{dtype, s}}, {attr_s("to", "NHWC")}});
  INFO(to.message);
  REQUIRE(to.code == MIRT_STATUS_OK);
  const std::vector<T> nhwc = to.outputs[0].values<T>();
  bool same = true;
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t p = 0; p < s[2] * s[3]; ++p) same = same && nhwc[size_t(nhwc_at(s, n, c, p))] == x[size_t(nchw_at(s, n, c, p))];
  CHECK(same);
  const op_result back = run({"Reformat", {to.outputs[0]}, {{dtype, s}}, {attr_s("to", "NCHW")}});
  REQUIRE(back.code == MIRT_STATUS_OK);
  CHECK(back.outputs[0].values<T>() == x);
}

// A float16 / bfloat16 bit pattern's value.
double half_value(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
  return (h & 0x8000) ? -magnitude : magnitude;
}
double bfloat16_value(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// A converting Reformat (float32 NCHW -> NHWC in `dtype`, ONNX code `onnx_dtype`): each element lands
// where a transpose puts it, within the target's rounding of the float64 value, and with the bits
// Cast gives it (the layout pass folds a Cast into it: the result must not change).
void check_converting_reformat(mirt_dtype dtype, int64_t onnx_dtype, double (*value)(uint16_t), double rel) {
  const shape_t s = {2, 19, 5, 6};
  const std::vector<float> x = random_floats(numel(s), -40, 40, 11);
  const op_result r = run({"Reformat", {f32(s, x)}, {{dtype, s}}, {attr_s("to", "NHWC"), attr_i("dtype", onnx_dtype)}});
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<uint16_t> y = r.outputs[0].values<uint16_t>();
  const op_result cast = run({"Cast", {f32(s, x)}, {{dtype, s}}, {attr_i("to", onnx_dtype)}});
  REQUIRE(cast.code == MIRT_STATUS_OK);
  const std::vector<uint16_t> cast_bits = cast.outputs[0].values<uint16_t>();
  double worst = 0;
  bool same_bits = true;
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t p = 0; p < s[2] * s[3]; ++p) {
        const size_t from = size_t(nchw_at(s, n, c, p)), to = size_t(nhwc_at(s, n, c, p));
        const double want = double(x[from]);
        worst = std::max(worst, std::abs(value(y[to]) - want) / std::max(1e-3, std::abs(want)));
        same_bits = same_bits && y[to] == cast_bits[from];
      }
  CHECK(worst <= rel);
  CHECK(same_bits);
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("a converting Reformat (attribute dtype) moves float32 NCHW data to float16 / bfloat16 NHWC as Cast converts it") {
  check_converting_reformat(MIRT_DTYPE_FLOAT16, 10, half_value, std::ldexp(1.0, -11));
  check_converting_reformat(MIRT_DTYPE_BFLOAT16, 16, bfloat16_value, std::ldexp(1.0, -8));
}

TEST_CASE("Reformat moves data of 1, 4 and 8-byte dtypes between NCHW and NHWC like a host transpose") {
  check_reformat<float>(MIRT_DTYPE_FLOAT32, {2, 37, 5, 7});  // tiles of 16 with remainders on both sides
  check_reformat<float>(MIRT_DTYPE_FLOAT32, {1, 3, 17, 16});
  check_reformat<int64_t>(MIRT_DTYPE_INT64, {1, 5, 3, 4});
  check_reformat<uint8_t>(MIRT_DTYPE_UINT8, {2, 20, 3, 3});
}

TEST_CASE("Reformat refuses an unknown target layout and a tensor that is not 4-D, naming them") {
  const op_result bad = run({"Reformat", {f32({1, 2, 3, 4}, random_floats(24))}, {{MIRT_DTYPE_FLOAT32, {1, 2, 3, 4}}},
                             {attr_s("to", "NCDHW")}});
  CHECK(bad.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(bad.message.find("'NCDHW'") != std::string::npos);
  const op_result rank = run({"Reformat", {f32({2, 3, 4}, random_floats(24))}, {{MIRT_DTYPE_FLOAT32, {2, 3, 4}}},
                              {attr_s("to", "NHWC")}});
  CHECK(rank.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(rank.message.find("rank 3") != std::string::npos);
}

TEST_CASE("MaxPool with layout NHWC pools channels-last data as the NCHW MaxPool does") {
  const shape_t s = {2, 20, 9, 9}, ys = {2, 20, 5, 5};
  const std::vector<float> x = random_floats(numel(s), -1, 1, 31);
  const std::vector<attr> attrs = {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                                   attr_ints("pads", {1, 1, 1, 1})};
  const std::vector<float> plain = run_f32({"MaxPool", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, ys}}, attrs});
  std::vector<float> x_nhwc(x.size());
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t p = 0; p < s[2] * s[3]; ++p) x_nhwc[size_t(nhwc_at(s, n, c, p))] = x[size_t(nchw_at(s, n, c, p))];
  std::vector<attr> nhwc_attrs = attrs;
  nhwc_attrs.push_back(attr_s("layout", "NHWC"));
  const op_result r = run({"MaxPool", {f32(s, x_nhwc)}, {{MIRT_DTYPE_FLOAT32, ys}}, nhwc_attrs});
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.tactic == "onednn_pool_nhwc");
  const std::vector<float> y = r.outputs[0].values<float>();
  bool same = true;
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t c = 0; c < ys[1]; ++c)
      for (int64_t p = 0; p < ys[2] * ys[3]; ++p) same = same && y[size_t(nhwc_at(ys, n, c, p))] == plain[size_t(nchw_at(ys, n, c, p))];
  CHECK(same);  // a max picks one input: equal bits
}

TEST_CASE("the NCHW pools refuse a layout attribute they do not take") {
  const op_result r = run({"AveragePool", {f32({1, 2, 4, 4}, random_floats(32))}, {{MIRT_DTYPE_FLOAT32, {1, 2, 2, 2}}},
                           {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2}), attr_s("layout", "NHWC")}});
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("layout 'NHWC'") != std::string::npos);
}

}  // TEST_SUITE
