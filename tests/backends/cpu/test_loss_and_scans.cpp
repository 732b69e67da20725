// tests/backends/cpu/test_loss_and_scans.cpp — the losses, Trilu, CumSum/CumProd, Hardmax and
// RMSNormalization on the edges the ONNX node tests leave out, against float64 loops.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("NegativeLogLikelihoodLoss rejects a target outside the classes unless it is ignore_index") {
  const auto x = random_floats(2 * 3, -2, 0, 5);
  op_call call{"NegativeLogLikelihoodLoss", {f32({2, 3}, x), i64({2}, {1, 7})}, {{MIRT_DTYPE_FLOAT32, {}}}};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("target") != std::string::npos);
  CHECK(r.message.find("7") != std::string::npos);
  // Ignored: the mean is over the one target left.
  call.attrs = {attr_i("ignore_index", 7)};
  check_close(run_f32(call), {-double(x[1])});
}

TEST_CASE("SoftmaxCrossEntropyLoss with class weights and an int32 target matches the reference") {
  const int64_t n = 3, c = 4, d = 2;
  const auto x = random_floats(n * c * d, -3, 3, 11);
  const std::vector<float> w = {0.5f, 2.0f, 1.0f, 0.25f};
  const std::vector<int32_t> t = {0, 3, 2, 1, 1, 0};
  op_call call{"SoftmaxCrossEntropyLoss", {f32({n, c, d}, x), i32({n, d}, t), f32({c}, w)}, {{MIRT_DTYPE_FLOAT32, {}}}};
  call.attrs = {attr_s("reduction", "sum")};
  double total = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < d; ++i) {
      double sum = 0;
      for (int64_t k = 0; k < c; ++k) sum += std::exp(double(x[size_t((b * c + k) * d + i)]));
      const int32_t k = t[size_t(b * d + i)];
      total -= w[size_t(k)] * (double(x[size_t((b * c + k) * d + i)]) - std::log(sum));
    }
  check_close(run_f32(call), {total});
  call.attrs = {attr_s("reduction", "average")};
  CHECK(run(call).code == MIRT_STATUS_INVALID_GRAPH);
}

TEST_CASE("Trilu keeps the right triangle of int64 matrices for k beyond either edge") {
  const shape_t s = {2, 3, 4};
  std::vector<int64_t> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = int64_t(i) + 1;
  for (const int upper : {0, 1})
    for (const int64_t k : {-5, -1, 0, 2, 9}) {
      op_call call{"Trilu", {i64(s, x), i64({}, {k})}, {{MIRT_DTYPE_INT64, s}}, {attr_i("upper", upper)}};
      op_result r = run(call);
      REQUIRE(r.code == MIRT_STATUS_OK);
      const auto got = r.outputs[0].values<int64_t>();
      for (int64_t m = 0; m < 2; ++m)
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t j = 0; j < 4; ++j) {
            const size_t at = size_t((m * 3 + i) * 4 + j);
            const bool keep = upper ? j - i >= k : j - i <= k;
            CHECK(got[at] == (keep ? x[at] : 0));
          }
    }
}

TEST_CASE("CumSum and CumProd along a middle axis, exclusive and reversed, with the axis as a 1-element vector") {
  const shape_t s = {2, 3, 2};
  const auto x = random_floats(12, 0.5f, 1.5f, 3);
  for (const char* op : {"CumSum", "CumProd"})
    for (const int exclusive : {0, 1})
      for (const int reverse : {0, 1}) {
        const bool prod = std::string(op) == "CumProd";
        std::vector<double> want(12);
        for (int64_t o = 0; o < 2; ++o)
          for (int64_t i = 0; i < 2; ++i) {
            double acc = prod ? 1 : 0;
            for (int64_t step = 0; step < 3; ++step) {
              const int64_t j = reverse ? 2 - step : step;
              const size_t at = size_t((o * 3 + j) * 2 + i);
              const double before = acc;
              acc = prod ? acc * x[at] : acc + x[at];
              want[at] = exclusive ? before : acc;
            }
          }
        op_call call{op, {f32(s, x), i32({1}, {-2})}, {{MIRT_DTYPE_FLOAT32, s}},
                     {attr_i("exclusive", exclusive), attr_i("reverse", reverse)}};
        check_close(run_f32(call), want);
      }
}

TEST_CASE("CumProd of int64 wraps on overflow instead of trapping") {
  const std::vector<int64_t> x = {int64_t(1) << 40, int64_t(1) << 40, 3};
  op_call call{"CumProd", {i64({3}, x), i64({}, {0})}, {{MIRT_DTYPE_INT64, {3}}}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{int64_t(1) << 40, 0, 0});
}

TEST_CASE("Hardmax marks the first of tied maxima along a middle axis") {
  const std::vector<float> x = {1, 5, 5, 2, 5, 5, 5, -1};  // [2, 2, 2], axis 1; a tie at [1, :, 0]
  op_call call{"Hardmax", {f32({2, 2, 2}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 2, 2}}}, {attr_i("axis", 1)}};
  check_close(run_f32(call), {0, 1, 1, 0, 1, 1, 0, 0});
}

TEST_CASE("RMSNormalization over two axes with a scale broadcast along the last") {
  const shape_t s = {3, 2, 4};
  const auto x = random_floats(24, -2, 2, 9);
  const std::vector<float> scale = {1, 0.5f, 2, -1};
  op_call call{"RMSNormalization", {f32(s, x), f32({4}, scale)}, {{MIRT_DTYPE_FLOAT32, s}},
               {attr_i("axis", 1), attr_f("epsilon", 1e-3f)}};
  std::vector<double> want(24);
  for (size_t o = 0; o < 3; ++o) {
    double sq = 0;
    for (size_t i = 0; i < 8; ++i) sq += double(x[o * 8 + i]) * x[o * 8 + i];
    const double inv = 1 / std::sqrt(sq / 8 + 1e-3);
    for (size_t i = 0; i < 8; ++i) want[o * 8 + i] = x[o * 8 + i] * inv * scale[i % 4];
  }
  check_close(run_f32(call), want, 1e-5);
}

}  // TEST_SUITE
