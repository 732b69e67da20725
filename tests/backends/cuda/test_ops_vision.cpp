// tests/backends/cuda/test_ops_vision.cpp — Resize (antialiased too), Pad, Tile, Split, ConvTranspose and
// InstanceNormalization of the cuda backend against the cpu backend (float32: relative tolerance
// 1e-4; integer outputs bit-exact), and the refusals of what the cuda kernels do not compute.
// Each case skips itself, with a MESSAGE, when the machine has no GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, I64 = MIRT_DTYPE_INT64;

// Resize of x (N, C, H, W) by constant scales to (N, C, oh, ow).
op_call resize_scales(shape_t x, std::vector<float> scales, shape_t out, std::vector<attr> attrs, uint32_t seed = 1) {
  return op_call{"Resize", {rand_f32(x, seed, -2, 2), omitted(), f32({int64_t(scales.size())}, scales, true)}, {{F32, out}}, std::move(attrs)};
}
op_call resize_sizes(shape_t x, shape_t out, std::vector<attr> attrs, uint32_t seed = 2) {
  return op_call{"Resize", {rand_f32(x, seed, -2, 2), omitted(), omitted(), i64({int64_t(out.size())}, out, true)}, {{F32, out}},
                 std::move(attrs)};
}
attr mode(const char* m) { return attr_s("mode", m); }
attr coord(const char* c) { return attr_s("coordinate_transformation_mode", c); }

// Whether the cuda backend refuses the call with a message containing `what`.
void check_refused(const op_call& call, const std::string& what) {
  const op_result r = run_cuda(call);
  INFO("cuda backend: ", r.message);
  CHECK(r.code != MIRT_STATUS_OK);
  CHECK(r.message.find(what) != std::string::npos);
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("Resize nearest (every nearest_mode, scales or sizes, up and down) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // The PyTorch export: asymmetric + floor, 2x.
  compare_with_cpu(resize_scales({2, 3, 5, 7}, {1, 1, 2, 2}, {2, 3, 10, 14}, {coord("asymmetric"), attr_s("nearest_mode", "floor")}));
  for (const char* rule : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
    for (const char* c : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn", "half_pixel_symmetric"}) {
      CAPTURE(rule);
      CAPTURE(c);
      compare_with_cpu(resize_sizes({1, 2, 6, 9}, {1, 2, 11, 4}, {coord(c), attr_s("nearest_mode", rule)}));
      compare_with_cpu(resize_scales({1, 2, 6, 8}, {1, 1, 0.5f, 1.5f}, {1, 2, 3, 12}, {coord(c), attr_s("nearest_mode", rule)}));
    }
  // Any rank and any dtype: int64 3-D, float 5-D.
  compare_with_cpu({"Resize", {i64({1, 2, 3}, {1, 2, 3, 4, 5, 6}), omitted(), f32({3}, {1, 2, 2.5f}, true)}, {{I64, {1, 4, 7}}}});
  compare_with_cpu(resize_scales({1, 2, 3, 4, 5}, {1, 1, 2, 1, 2}, {1, 2, 6, 4, 10}, {}));
  // Scales given at run time (read back from the device).
  compare_with_cpu({"Resize", {rand_f32({1, 3, 4, 4}, 3), omitted(), f32({4}, {1, 1, 3, 3})}, {{F32, {1, 3, 12, 12}}}});
  // axes (opset 18) and keep_aspect_ratio_policy.
  compare_with_cpu({"Resize", {rand_f32({1, 3, 4, 6}, 4), omitted(), f32({2}, {2, 3}, true)}, {{F32, {1, 3, 8, 18}}},
                    {attr_ints("axes", {2, 3})}});
  compare_with_cpu({"Resize", {rand_f32({1, 3, 4, 6}, 5), omitted(), omitted(), i64({2}, {8, 8}, true)}, {{F32, {1, 3, 5, 8}}},
                    {attr_ints("axes", {2, 3}), attr_s("keep_aspect_ratio_policy", "not_larger")}});
}

TEST_CASE("Resize linear and cubic (every coordinate mode, exclude_outside, tf_crop_and_resize) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* c : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "half_pixel_symmetric"}) {
    CAPTURE(c);
    compare_with_cpu(resize_scales({2, 3, 7, 5}, {1, 1, 2, 2}, {2, 3, 14, 10}, {mode("linear"), coord(c)}));
    compare_with_cpu(resize_sizes({1, 2, 9, 8}, {1, 2, 4, 13}, {mode("linear"), coord(c)}));
    compare_with_cpu(resize_sizes({1, 2, 9, 8}, {1, 2, 5, 12}, {mode("cubic"), coord(c)}));
  }
  compare_with_cpu(resize_scales({1, 3, 6, 6}, {1, 1, 1.5f, 2.5f}, {1, 3, 9, 15}, {mode("cubic"), attr_f("cubic_coeff_a", -0.5f),
                                                                                      attr_i("exclude_outside", 1)}));
  compare_with_cpu(resize_sizes({3, 17}, {3, 40}, {mode("linear")}));  // 2-D, one resized axis
  compare_with_cpu(resize_sizes({2, 3, 4, 5, 6}, {2, 3, 7, 3, 9}, {mode("linear")}));  // trilinear
  // tf_crop_and_resize: roi per axis, extrapolation outside it.
  compare_with_cpu({"Resize", {rand_f32({1, 2, 8, 8}, 6), f32({8}, {0, 0, 0.2f, -0.3f, 1, 1, 0.9f, 0.8f}, true), omitted(),
                               i64({4}, {1, 2, 6, 7}, true)},
                    {{F32, {1, 2, 6, 7}}},
                    {mode("linear"), coord("tf_crop_and_resize"), attr_f("extrapolation_value", 7.5f)}});
  compare_with_cpu({"Resize", {rand_f32({1, 2, 8, 8}, 7), f32({8}, {0, 0, 0.1f, 0.1f, 1, 1, 0.7f, 1.2f}, true), omitted(),
                               i64({4}, {1, 2, 5, 5}, true)},
                    {{F32, {1, 2, 5, 5}}},
                    {mode("nearest"), coord("tf_crop_and_resize")}});
}

TEST_CASE("Resize antialias=1 (linear and cubic downscaling, odd scales, exclude_outside, one axis up) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const attr aa = attr_i("antialias", 1);
  for (const char* m : {"linear", "cubic"}) {
    CAPTURE(m);
    compare_with_cpu(resize_scales({1, 3, 16, 16}, {1, 1, 0.5f, 0.5f}, {1, 3, 8, 8}, {mode(m), aa}));
    compare_with_cpu(resize_sizes({2, 2, 37, 29}, {2, 2, 5, 11}, {mode(m), aa}));  // about 1/7 and 1/2.6: many taps
    compare_with_cpu(resize_sizes({1, 2, 20, 6}, {1, 2, 7, 15}, {mode(m), aa}));   // down on H, up (plain filter) on W
    compare_with_cpu(resize_sizes({1, 2, 24, 24}, {1, 2, 6, 9}, {mode(m), aa, attr_i("exclude_outside", 1), coord("align_corners")}));
    compare_with_cpu(resize_sizes({3, 50}, {3, 12}, {mode(m), aa, coord("asymmetric")}));  // 2-D, one resized axis
  }
  compare_with_cpu(resize_scales({1, 1, 40, 40}, {1, 1, 0.3f, 0.6f}, {1, 1, 12, 24},
                                 {mode("cubic"), aa, attr_f("cubic_coeff_a", -0.5f), coord("half_pixel_symmetric")}));
  // tf_crop_and_resize: extrapolation outside the roi.
  compare_with_cpu({"Resize", {rand_f32({1, 2, 16, 16}, 8), f32({8}, {0, 0, 0.1f, -0.2f, 1, 1, 0.9f, 0.7f}, true), omitted(),
                               i64({4}, {1, 2, 5, 6}, true)},
                    {{F32, {1, 2, 5, 6}}},
                    {mode("linear"), aa, coord("tf_crop_and_resize"), attr_f("extrapolation_value", -3.f)}});
}

TEST_CASE("Resize refuses non-float interpolation at tactic lookup, and names a bad mode or antialias with nearest") {
  CUDA_TEST_REQUIRE_GPU();
  check_refused(resize_scales({1, 1, 8, 8}, {1, 1, 0.5f, 0.5f}, {1, 1, 4, 4}, {mode("nearest"), attr_i("antialias", 1)}),
                "antialias=1 needs mode linear or cubic");
  check_refused({"Resize", {i64({1, 1, 2, 2}, {1, 2, 3, 4}), omitted(), f32({4}, {1, 1, 2, 2}, true)}, {{I64, {1, 1, 4, 4}}}, {mode("linear")}},
                "linear");
  op_call bad = resize_scales({1, 1, 2, 2}, {1, 1, 2, 2}, {1, 1, 4, 4}, {mode("bogus")});
  bad.name = "neck/upsample";
  check_refused(bad, "bogus");
  check_refused(bad, "neck/upsample");
}

TEST_CASE("Pad (constant, reflect, edge, wrap; axes; negative pads) and Tile match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data pads = i64({8}, {0, 1, 2, 3, 0, 2, 1, 0}, true);
  compare_with_cpu({"Pad", {rand_f32({2, 3, 4, 5}, 10), pads, f32({}, {1.5f})}, {{F32, {2, 6, 7, 8}}}});
  for (const char* m : {"reflect", "edge", "wrap"}) {
    CAPTURE(m);
    compare_with_cpu({"Pad", {rand_f32({2, 3, 4, 5}, 11), pads}, {{F32, {2, 6, 7, 8}}}, {attr_s("mode", m)}});
  }
  compare_with_cpu({"Pad", {rand_f32({1, 3, 6, 6}, 12), i64({4}, {1, 1, 1, 1}), omitted(), i64({2}, {2, 3})}, {{F32, {1, 3, 8, 8}}},
                    {attr_s("mode", "reflect")}});
  compare_with_cpu({"Pad", {rand_f32({4, 6}, 13), i64({4}, {-1, 2, 0, -3}, true)}, {{F32, {3, 5}}}});
  compare_with_cpu({"Pad", {i64({2, 2}, {1, 2, 3, 4}), i64({4}, {1, 0, 0, 1}, true), i64({}, {-7})}, {{I64, {3, 3}}}});
  compare_with_cpu({"Tile", {rand_f32({2, 3, 4}, 14), i64({3}, {2, 1, 3}, true)}, {{F32, {4, 3, 12}}}});
  compare_with_cpu({"Tile", {i64({3}, {1, 2, 3}), i64({1}, {4})}, {{I64, {12}}}});
}

TEST_CASE("Split (uneven, equal, any axis) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"Split", {rand_f32({2, 6, 5}, 15), i64({3}, {2, 3, 1}, true)}, {{F32, {2, 2, 5}}, {F32, {2, 3, 5}}, {F32, {2, 1, 5}}},
                    {attr_i("axis", 1)}});
  compare_with_cpu({"Split", {rand_f32({6, 4}, 16)}, {{F32, {3, 4}}, {F32, {3, 4}}}});
  compare_with_cpu({"Split", {i64({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})}, {{I64, {2, 1}}, {I64, {2, 3}}}, {attr_i("axis", -1)}});
}

TEST_CASE("ConvTranspose (strides, pads, output_padding, groups, dilations, bias; 1D, 2D, 3D) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"ConvTranspose", {rand_f32({2, 4, 5, 5}, 20), rand_f32({4, 3, 3, 3}, 21, -1, 1, true), rand_f32({3}, 22, -1, 1, true)},
                    {{F32, {2, 3, 10, 10}}},
                    {attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1}), attr_ints("output_padding", {1, 1})}});
  compare_with_cpu({"ConvTranspose", {rand_f32({1, 4, 6, 7}, 23), rand_f32({4, 2, 3, 3}, 24, -1, 1, true)}, {{F32, {1, 4, 10, 11}}},
                    {attr_i("group", 2), attr_ints("dilations", {2, 2})}});
  compare_with_cpu({"ConvTranspose", {rand_f32({1, 8, 16, 16}, 25), rand_f32({8, 4, 2, 2}, 26, -1, 1, true), rand_f32({4}, 27, -1, 1, true)},
                    {{F32, {1, 4, 32, 32}}}, {attr_ints("strides", {2, 2})}});  // the segmentation-decoder 2x upsample
  compare_with_cpu({"ConvTranspose", {rand_f32({2, 3, 9}, 28), rand_f32({3, 5, 4}, 29)}, {{F32, {2, 5, 18}}},
                    {attr_ints("strides", {2}), attr_ints("pads", {1, 1})}});
  compare_with_cpu({"ConvTranspose", {rand_f32({1, 2, 3, 4, 5}, 30), rand_f32({2, 3, 3, 3, 3}, 31, -1, 1, true)}, {{F32, {1, 3, 5, 6, 7}}}});
  compare_with_cpu({"ConvTranspose", {rand_f32({1, 2, 5, 5}, 32), rand_f32({2, 2, 3, 3}, 33, -1, 1, true)}, {{F32, {1, 2, 10, 10}}},
                    {attr_ints("strides", {2, 2}), attr_s("auto_pad", "SAME_LOWER")}});
}

TEST_CASE("ConvTranspose refuses end pads cuDNN cannot express at tactic lookup") {
  CUDA_TEST_REQUIRE_GPU();
  check_refused({"ConvTranspose", {rand_f32({1, 2, 5, 5}, 34), rand_f32({2, 2, 3, 3}, 35, -1, 1, true)}, {{F32, {1, 2, 6, 6}}},
                 {attr_ints("pads", {0, 0, 1, 1})}},
                "pads");
}

TEST_CASE("InstanceNormalization matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu({"InstanceNormalization", {rand_f32({2, 3, 5, 7}, 40, -3, 5), rand_f32({3}, 41, -1, 1, true), rand_f32({3}, 42, -1, 1, true)},
                    {{F32, {2, 3, 5, 7}}}});
  compare_with_cpu({"InstanceNormalization", {rand_f32({1, 4, 5000}, 43), rand_f32({4}, 44), rand_f32({4}, 45)}, {{F32, {1, 4, 5000}}},
                    {attr_f("epsilon", 1e-3f)}});
}

}  // TEST_SUITE
