// tests/backends/cpu/test_resize.cpp — Resize against hand-computed values (the ONNX node tests
// feed scales/sizes as graph inputs, so they also need run-time shape values).
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("Resize nearest asymmetric floor (Upsample's form) repeats pixels") {
  op_call call{"Resize", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), omitted(), f32({4}, {1, 1, 2, 3}, true)},
               {{MIRT_DTYPE_FLOAT32, {1, 1, 4, 6}}},
               {attr_s("coordinate_transformation_mode", "asymmetric"), attr_s("nearest_mode", "floor")}};
  check_close(run_f32(call), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST_CASE("Resize linear with align_corners interpolates between the corner pixels") {
  op_call call{"Resize", {f32({1, 3}, {0, 10, 40}), omitted(), omitted(), i64({1}, {5}, true)},
               {{MIRT_DTYPE_FLOAT32, {1, 5}}},
               {attr_s("mode", "linear"), attr_s("coordinate_transformation_mode", "align_corners"), attr_ints("axes", {1})}};
  check_close(run_f32(call), {0, 5, 10, 25, 40});
}

TEST_CASE("Resize half_pixel linear clamps at the edges, and cubic antialias keeps a constant image constant") {
  op_call lin{"Resize", {f32({2}, {2, 4}), omitted(), f32({1}, {2}, true)}, {{MIRT_DTYPE_FLOAT32, {4}}},
              {attr_s("mode", "linear")}};
  // x_orig = (y + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped taps at the edges.
  check_close(run_f32(lin), {2, 2.5, 3.5, 4});
  op_call aa{"Resize", {f32({1, 1, 9, 9}, std::vector<float>(81, 3.5f)), omitted(), f32({4}, {1, 1, 0.3f, 0.45f}, true)},
             {{MIRT_DTYPE_FLOAT32, {1, 1, 2, 4}}}, {attr_s("mode", "cubic"), attr_i("antialias", 1)}};
  check_close(run_f32(aa), std::vector<double>(8, 3.5));
}

TEST_CASE("Resize tf_crop_and_resize writes extrapolation_value outside the crop") {
  op_call call{"Resize", {f32({1, 4}, {0, 1, 2, 3}), f32({2}, {0.5f, 1.5f}, true), omitted(), i64({1}, {3}, true)},
               {{MIRT_DTYPE_FLOAT32, {1, 3}}},
               {attr_s("mode", "linear"), attr_s("coordinate_transformation_mode", "tf_crop_and_resize"),
                attr_ints("axes", {1}), attr_f("extrapolation_value", -7)}};
  // x_orig = 1.5 + y * 1 * 3 / 2 = 1.5, 3, 4.5 (outside [0, 3]).
  check_close(run_f32(call), {1.5, 3, -7});
}

TEST_CASE("Resize of uint8 rounds half to even and refuses antialias with nearest") {
  op_call call{"Resize", {tensor_data::of<uint8_t>(MIRT_DTYPE_UINT8, {2}, {1, 4}), omitted(), f32({1}, {4}, true)},
               {{MIRT_DTYPE_UINT8, {8}}}, {attr_s("mode", "linear"), attr_s("coordinate_transformation_mode", "asymmetric")}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  // x = y / 4: 1, 1.75, 2.5 (-> 2), 3.25 (-> 3), then 4 (clamped).
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{1, 2, 2, 3, 4, 4, 4, 4});
  call.attrs.push_back(attr_i("antialias", 1));
  call.attrs[0] = attr_s("mode", "nearest");
  r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message.find("antialias") != std::string::npos);
}

}  // TEST_SUITE
