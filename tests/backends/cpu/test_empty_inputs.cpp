// tests/backends/cpu/test_empty_inputs.cpp — an input with no elements is present, not omitted: a
// tensor of shape [0] or [0, 3] (whose address may be NULL) keeps its dtype, and the kernel tells it
// from an optional input the graph leaves out.
#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("Pad of an empty input fills the whole output with the constant value") {
  // [0, 3] padded by one row before and after: two rows of the constant (ONNX constant mode).
  for (const bool constant_pads : {true, false}) {
    op_call c{"Pad", {f32({0, 3}, {}), i64({4}, {1, 0, 1, 0}, constant_pads), f32({}, {5})}, {{MIRT_DTYPE_FLOAT32, {2, 3}}},
              {attr_s("mode", "constant")}};
    CHECK(run_f32(c) == std::vector<float>(6, 5.0f));
  }
  const op_result r = run({"Pad", {i64({2, 0}, {}), i64({4}, {0, 1, 0, 0}), i64({}, {-7})}, {{MIRT_DTYPE_INT64, {2, 1}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{-7, -7});
}

TEST_CASE("Pad with an empty axes input pads no axis, where an omitted one means every axis") {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  // axes [] with pads []: nothing to pad, the output is the input.
  CHECK(run_f32({"Pad", {f32({2, 3}, x), i64({0}, {}), omitted(), i64({0}, {})}, {{MIRT_DTYPE_FLOAT32, {2, 3}}}}) == x);
  // Omitted axes: pads [] cannot cover the two axes.
  const op_result r = run({"Pad", {f32({2, 3}, x), i64({0}, {}), omitted(), omitted()}, {{MIRT_DTYPE_FLOAT32, {2, 3}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("pads has 0 entries for 2 axes") != std::string::npos);
}

TEST_CASE("Clip refuses an empty min or max, naming it, instead of reading it as omitted") {
  const auto x = f32({3}, {-2, 0, 2});
  op_result r = run({"Clip", {x, f32({0}, {}), f32({}, {1})}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("input 1 (min)") != std::string::npos);
  r = run({"Clip", {x, omitted(), f32({1, 0}, {})}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("input 2 (max)") != std::string::npos);
  // Omitted bounds still leave that side open.
  r = run({"Clip", {x, omitted(), f32({}, {1})}, {{MIRT_DTYPE_FLOAT32, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{-2, 0, 1});
}

}  // TEST_SUITE
