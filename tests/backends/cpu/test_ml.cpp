// tests/backends/cpu/test_ml.cpp — the ONNX-ML ops Binarizer and ArrayFeatureExtractor against
// references computed here.
#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("Binarizer: 1 above the threshold, 0 at or below it, for float32 and int64") {
  const auto x = random_floats(24, -2, 2, 81);
  std::vector<double> want;
  for (float v : x) want.push_back(v > 0.5f ? 1.0 : 0.0);
  check_close(run_f32({"Binarizer", {f32({2, 3, 4}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 4}}}, {attr_f("threshold", 0.5f)}}), want);
  op_result r = run({"Binarizer", {i64({4}, {-1, 2, 3, 7})}, {{MIRT_DTYPE_INT64, {4}}}, {attr_f("threshold", 2.5f)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{0, 0, 1, 1});
}

TEST_CASE("ArrayFeatureExtractor picks along the last axis, repeats allowed; a 1-D input gives [1, n]; a bad index fails") {
  const auto x = random_floats(2 * 3 * 5, -1, 1, 82);
  const std::vector<int64_t> picks = {4, 0, 4};
  std::vector<double> want;
  for (int64_t row = 0; row < 6; ++row)
    for (int64_t p : picks) want.push_back(x[size_t(row * 5 + p)]);
  check_close(run_f32({"ArrayFeatureExtractor", {f32({2, 3, 5}, x), i64({3}, picks)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 3}}}}), want);
  op_result vec = run({"ArrayFeatureExtractor", {i64({4}, {10, 11, 12, 13}), i64({2}, {3, 1})}, {{MIRT_DTYPE_INT64, {1, 2}}}});
  REQUIRE(vec.code == MIRT_STATUS_OK);
  CHECK(vec.outputs[0].values<int64_t>() == std::vector<int64_t>{13, 11});
  op_result bad = run({"ArrayFeatureExtractor", {i64({4}, {10, 11, 12, 13}), i64({1}, {4})}, {{MIRT_DTYPE_INT64, {1, 1}}}});
  CHECK(bad.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(bad.message.find("index 4 is outside X's last axis of 4") != std::string::npos);
}

}  // TEST_SUITE
