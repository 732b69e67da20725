// tests/backends/cpu/test_reduce_cast.cpp — reductions, ArgMax/ArgMin and Cast.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("every Reduce op matches the reference over axes subsets, with and without keepdims") {
  const shape_t s = {2, 3, 4};
  const auto x = random_floats(24, 0.1f, 2, 61);
  using fold = std::function<double(const std::vector<double>&)>;
  const std::map<std::string, fold> refs = {
      {"ReduceSum", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += a; return s; }},
      {"ReduceMean", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += a; return s / double(v.size()); }},
      {"ReduceProd", [](const std::vector<double>& v) { double s = 1; for (double a : v) s *= a; return s; }},
      {"ReduceMax", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }},
      {"ReduceMin", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }},
      {"ReduceL1", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += std::fabs(a); return s; }},
      {"ReduceL2", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += a * a; return std::sqrt(s); }},
      {"ReduceSumSquare", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += a * a; return s; }},
      {"ReduceLogSum", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += a; return std::log(s); }},
      {"ReduceLogSumExp", [](const std::vector<double>& v) { double s = 0; for (double a : v) s += std::exp(a); return std::log(s); }},
  };
  const std::vector<std::vector<int64_t>> axes_sets = {{1}, {-1}, {0, 2}, {}, {0, 1, 2}};
  for (const auto& [op, f] : refs)
    for (const auto& axes : axes_sets)
      for (const int keep : {0, 1}) {
        std::vector<bool> red(3, axes.empty());
        for (int64_t a : axes) red[size_t(a < 0 ? a + 3 : a)] = true;
        shape_t out, kept;
        for (size_t d = 0; d < 3; ++d) {
          if (!red[d]) out.push_back(s[d]), kept.push_back(s[d]);
          else if (keep) out.push_back(1);
          if (red[d]) kept.push_back(1);
        }
        std::vector<std::vector<double>> groups(size_t(numel(kept)));
        for (int64_t i = 0; i < 24; ++i) {
          const auto idx = unravel(i, s);
          int64_t o = 0;
          for (size_t d = 0; d < 3; ++d) o = o * kept[d] + (red[d] ? 0 : idx[d]);
          groups[size_t(o)].push_back(x[size_t(i)]);
        }
        std::vector<double> expected;
        for (const auto& g : groups) expected.push_back(f(g));
        op_call c{op, {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, out}}, {attr_i("keepdims", keep)}};
        if (!axes.empty()) c.inputs.push_back(i64({int64_t(axes.size())}, axes));
        CAPTURE(op);
        CAPTURE(axes.size());
        CAPTURE(keep);
        check_close(run_f32(c), expected, 1e-5);
      }
}

TEST_CASE("noop_with_empty_axes leaves the data unreduced") {
  const auto x = random_floats(6, -1, 1, 62);
  check_close(run_f32({"ReduceSum", {f32({2, 3}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 3}}}, {attr_i("noop_with_empty_axes", 1)}}),
              std::vector<double>(x.begin(), x.end()));
}

TEST_CASE("integer ReduceSum and ReduceMax are exact") {
  op_result r = run({"ReduceSum", {i64({2, 2}, {1ll << 40, 1, 2, 3}), i64({1}, {1})}, {{MIRT_DTYPE_INT64, {2}}}, {attr_i("keepdims", 0)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{(1ll << 40) + 1, 5});
  r = run({"ReduceMax", {i32({2, 2}, {-5, -7, 2, 3}), i64({1}, {0})}, {{MIRT_DTYPE_INT32, {1, 2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int32_t>() == std::vector<int32_t>{2, 3});
}

TEST_CASE("ArgMax and ArgMin honour axis, keepdims and select_last_index") {
  const std::vector<float> x = {1, 3, 3, 0, 2, 2, 0, 1};  // [2, 4]
  auto arg = [&](const std::string& op, int64_t axis, int64_t last, shape_t out) {
    op_result r = run({op, {f32({2, 4}, x)}, {{MIRT_DTYPE_INT64, out}}, {attr_i("axis", axis), attr_i("select_last_index", last), attr_i("keepdims", out.size() == 2)}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    return r.outputs[0].values<int64_t>();
  };
  CHECK(arg("ArgMax", 1, 0, {2, 1}) == std::vector<int64_t>{1, 0});
  CHECK(arg("ArgMax", -1, 1, {2}) == std::vector<int64_t>{2, 1});
  CHECK(arg("ArgMin", 1, 0, {2}) == std::vector<int64_t>{3, 2});
  CHECK(arg("ArgMin", 0, 0, {1, 4}) == std::vector<int64_t>{0, 1, 1, 0});
  CHECK(arg("ArgMax", 0, 1, {4}) == std::vector<int64_t>{1, 0, 0, 1});
}

TEST_CASE("Cast converts between float, half, integers and bool with ONNX rounding") {
  const std::vector<float> x = {-2.7f, -0.5f, 0.f, 0.4f, 1.5f, 300.f, 65504.f, 1e-7f};
  auto cast = [&](mirt_dtype to) {
    op_result r = run({"Cast", {f32({8}, x)}, {{to, {8}}}, {attr_i("to", 0)}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    return r.outputs[0];
  };
  CHECK(cast(MIRT_DTYPE_INT32).values<int32_t>() == std::vector<int32_t>{-2, 0, 0, 0, 1, 300, 65504, 0});
  CHECK(cast(MIRT_DTYPE_INT64).values<int64_t>() == std::vector<int64_t>{-2, 0, 0, 0, 1, 300, 65504, 0});
  CHECK(cast(MIRT_DTYPE_BOOL).values<uint8_t>() == std::vector<uint8_t>{1, 1, 0, 1, 1, 1, 1, 1});
  CHECK(cast(MIRT_DTYPE_INT8).values<int8_t>() == std::vector<int8_t>{-2, 0, 0, 0, 1, 127, 127, 0});
  const auto d = cast(MIRT_DTYPE_FLOAT64).values<double>();
  for (size_t i = 0; i < x.size(); ++i) CHECK(d[i] == double(x[i]));
  // float16 bit patterns: -2.7 -> 0xC166 (nearest), 65504 is the largest half, 1e-7 is a subnormal (2 ulp).
  const auto h = cast(MIRT_DTYPE_FLOAT16).values<uint16_t>();
  CHECK(h == std::vector<uint16_t>{0xC166, 0xB800, 0x0000, 0x3666, 0x3E00, 0x5CB0, 0x7BFF, 0x0002});
  // And back: half -> float is exact.
  op_result r = run({"Cast", {tensor_data::of(MIRT_DTYPE_FLOAT16, {3}, std::vector<uint16_t>{0x3C00, 0xC000, 0x7C00})}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{1.f, -2.f, INFINITY});
  r = run({"Cast", {i64({3}, {-1, 0, 7})}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{-1.f, 0.f, 7.f});
  r = run({"CastLike", {boolean({2}, {1, 0}), i32({1}, {0})}, {{MIRT_DTYPE_INT32, {2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int32_t>() == std::vector<int32_t>{1, 0});
}

TEST_CASE("ReduceMax of bool is any, ReduceMin is all") {
  const std::vector<uint8_t> x = {0, 0, 1, 0, 1, 1};  // [3, 2]
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    op_result r = run({op, {tensor_data::of<uint8_t>(MIRT_DTYPE_BOOL, {3, 2}, x), i64({1}, {1})}, {{MIRT_DTYPE_BOOL, {3}}}, {attr_i("keepdims", 0)}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    CHECK(r.outputs[0].values<uint8_t>() == (std::string(op) == "ReduceMax" ? std::vector<uint8_t>{0, 1, 1} : std::vector<uint8_t>{0, 0, 1}));
  }
}

}  // TEST_SUITE
