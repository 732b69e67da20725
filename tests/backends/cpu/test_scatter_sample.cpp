// tests/backends/cpu/test_scatter_sample.cpp — ScatterElements, ScatterND, GatherND and GridSample
// on the edges the ONNX node tests leave out: out-of-range indices, duplicate indices with a
// reduction, int64 data, far-out grid points.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("ScatterElements names an out-of-range index instead of writing outside the data") {
  op_call call{"ScatterElements", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({1, 2}, {0, 5}), f32({1, 2}, {9, 9})},
               {{MIRT_DTYPE_FLOAT32, {2, 3}}}, {attr_i("axis", 1)}};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("index 5") != std::string::npos);
}

TEST_CASE("ScatterND with reduction add accumulates duplicate index tuples on int64 data") {
  op_call call{"ScatterND", {i64({3, 2}, {1, 2, 3, 4, 5, 6}), i64({3, 1}, {2, 0, 2}), i64({3, 2}, {10, 20, 30, 40, 50, 60})},
               {{MIRT_DTYPE_INT64, {3, 2}}}, {attr_s("reduction", "add")}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{31, 42, 3, 4, 65, 86});
  call.attrs = {attr_s("reduction", "sum")};
  CHECK(run(call).code == MIRT_STATUS_INVALID_GRAPH);
}

TEST_CASE("GatherND with negative indices picks whole rows") {
  op_call call{"GatherND", {f32({3, 2}, {1, 2, 3, 4, 5, 6}), i64({2, 1}, {-1, 0})}, {{MIRT_DTYPE_FLOAT32, {2, 2}}}};
  check_close(run_f32(call), {5, 6, 1, 2});
}

TEST_CASE("GridSample reflection padding bounces far-out points back inside, border clamps them") {
  // One row of 4 pixels sampled at x = -3 .. 3 (normalized), align_corners=1: pixel = (g + 1) * 1.5.
  const std::vector<float> img = {10, 20, 30, 40};
  const std::vector<float> gx = {-3, -1.4f, 0, 1.8f, 3};
  std::vector<float> grid;
  for (float g : gx) grid.push_back(g), grid.push_back(0);
  for (const char* padding : {"reflection", "border"}) {
    std::vector<double> want;
    for (float g : gx) {
      double x = (double(g) + 1) * 1.5;
      if (std::string(padding) == "border") x = std::clamp(x, 0.0, 3.0);
      else {
        while (x < 0 || x > 3) x = x < 0 ? -x : 6 - x;
      }
      const int64_t x0 = std::min<int64_t>(int64_t(std::floor(x)), 2);
      want.push_back(img[size_t(x0)] + (x - double(x0)) * (img[size_t(x0) + 1] - img[size_t(x0)]));
    }
    op_call call{"GridSample", {f32({1, 1, 1, 4}, img), f32({1, 1, 5, 2}, grid)}, {{MIRT_DTYPE_FLOAT32, {1, 1, 1, 5}}},
                 {attr_i("align_corners", 1), attr_s("padding_mode", padding)}};
    check_close(run_f32(call), want, 1e-5);
  }
}

TEST_CASE("GridSample refuses an unknown mode") {
  op_call call{"GridSample", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 1, 2}, {0, 0})}, {{MIRT_DTYPE_FLOAT32, {1, 1, 1, 1}}},
               {attr_s("mode", "area")}};
  op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message.find("area") != std::string::npos);
}

}  // TEST_SUITE

TEST_SUITE("cpu") {

TEST_CASE("Einsum with a broadcast ellipsis, a diagonal and an implicit output matches the loops") {
  // "...ii,...j": A [2, 1, 3, 3] and B [4, 2]; ellipsis dims broadcast [2, 1] with [4] -> [2, 4];
  // implicit output: ellipsis then the labels used once (j): [2, 4, 2].
  const auto a = random_floats(18, -1, 1, 21), b = random_floats(8, -1, 1, 22);
  op_call call{"Einsum", {f32({2, 1, 3, 3}, a), f32({4, 2}, b)}, {{MIRT_DTYPE_FLOAT32, {2, 4, 2}}},
               {attr_s("equation", "...ii,...j")}};
  std::vector<double> want;
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 4; ++q)
      for (int j = 0; j < 2; ++j) {
        double trace = 0;
        for (int i = 0; i < 3; ++i) trace += a[size_t(p * 9 + i * 3 + i)];
        want.push_back(trace * b[size_t(q * 2 + j)]);
      }
  check_close(run_f32(call), want);
}

TEST_CASE("TopK returns the smallest values with ties in index order and int64 indices") {
  op_call call{"TopK", {f32({2, 4}, {3, 1, 1, 2, 5, 5, 0, 5}), i64({1}, {3}, true)},
               {{MIRT_DTYPE_FLOAT32, {2, 3}}, {MIRT_DTYPE_INT64, {2, 3}}}, {attr_i("largest", 0)}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{1, 1, 2, 0, 5, 5});
  CHECK(r.outputs[1].values<int64_t>() == std::vector<int64_t>{1, 2, 3, 2, 0, 1});
}

TEST_CASE("OneHot puts on-values at the indices along axis; negative indices count from depth, others beyond it stay off") {
  op_result r = run({"OneHot", {i64({3}, {0, -1, 5}), i64({}, {4}), i32({2}, {2, 5})}, {{MIRT_DTYPE_INT32, {3, 4}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int32_t>() == std::vector<int32_t>{5, 2, 2, 2, 2, 2, 2, 5, 2, 2, 2, 2});
  // Float indices truncate; axis 0 puts depth first: [3, 2].
  check_close(run_f32({"OneHot", {f32({2}, {1.0f, 2.7f}), f32({}, {3}), f32({2}, {0, 1})}, {{MIRT_DTYPE_FLOAT32, {3, 2}}}, {attr_i("axis", 0)}}),
              {0, 0, 1, 0, 0, 1});
  r = run({"OneHot", {i64({3}, {0, 1, 2}), i64({}, {4}), i32({2}, {0, 1})}, {{MIRT_DTYPE_INT32, {3, 5}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
}

}  // TEST_SUITE
