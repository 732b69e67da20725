// tests/backends/cuda/test_ops_sampling.cpp — GridSample, AffineGrid, RoiAlign, LpPool, MaxUnpool,
// Col2Im, CenterCropPad and DeformConv on the cuda backend against the cpu backend: float32 within
// 1e-4, float64 1e-9, float16 2e-3 and bfloat16 1.6e-2 (relative to max(1, |cpu|)); data movement
// bit-exact. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16,
                     I64 = MIRT_DTYPE_INT64, U8 = MIRT_DTYPE_UINT8;
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("GridSample (every mode, padding and align_corners; 1-D to 3-D; a grid of another dtype) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 3, 5, 6}, 1), grid = rand_f32({2, 4, 7, 2}, 2, -1.3f, 1.3f);
  for (const char* mode : {"nearest", "linear", "cubic"})
    for (const char* padding : {"zeros", "border", "reflection"})
      for (int64_t align : {0, 1}) {
        CAPTURE(mode);
        CAPTURE(padding);
        CAPTURE(align);
        compare_float_dtypes({"GridSample", {x, grid}, {{F32, {2, 3, 4, 7}}},
                            {attr_s("mode", mode), attr_s("padding_mode", padding), attr_i("align_corners", align)}});
      }
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    CAPTURE(mode);
    compare_float_dtypes({"GridSample", {rand_f32({2, 3, 7}, 3), rand_f32({2, 5, 1}, 4, -1.5f, 1.5f)}, {{F32, {2, 3, 5}}},
                        {attr_s("mode", mode), attr_s("padding_mode", "reflection")}});
    compare_float_dtypes({"GridSample", {rand_f32({1, 2, 3, 4, 5}, 5), rand_f32({1, 2, 3, 4, 3}, 6, -1.1f, 1.1f)}, {{F32, {1, 2, 2, 3, 4}}},
                        {attr_s("mode", mode), attr_s("padding_mode", "border")}});
  }
  const std::vector<float> g = rand_f32({2, 4, 7, 2}, 7, -1, 1).values<float>();
  compare_typed({"GridSample", {x, tensor_data::of(F64, {2, 4, 7, 2}, std::vector<double>(g.begin(), g.end()))}, {{F32, {2, 3, 4, 7}}}},
                F32, 1e-4);
}

TEST_CASE("RoiAlign (avg and max, both coordinate modes, sampling ratios, scales, int32 batch indices) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 3, 10, 12}, 10);
  const tensor_data rois = f32({4, 4}, {0, 0, 9, 9, 2.5f, 1.2f, 8.3f, 7.7f, -3, -2, 4, 5, 5, 5, 30, 30});
  for (const char* mode : {"avg", "max"})
    for (const char* coords : {"half_pixel", "output_half_pixel"})
      for (int64_t ratio : {0, 2})
        for (float scale : {1.f, 0.5f}) {
          CAPTURE(mode);
          CAPTURE(coords);
          CAPTURE(ratio);
          CAPTURE(scale);
          compare_float_dtypes({"RoiAlign", {x, rois, i64({4}, {0, 1, 1, 0})}, {{F32, {4, 3, 3, 4}}},
                              {attr_s("mode", mode), attr_s("coordinate_transformation_mode", coords), attr_i("output_height", 3),
                               attr_i("output_width", 4), attr_i("sampling_ratio", ratio), attr_f("spatial_scale", scale)}});
        }
  compare_typed({"RoiAlign", {x, rois, i32({4}, {1, 1, 0, 0})}, {{F32, {4, 3, 2, 2}}}, {attr_i("output_height", 2), attr_i("output_width", 2)}},
                F32, 1e-4);
}

TEST_CASE("LpPool (p 1, 2, 3; pads, strides, dilations, auto_pad; 1-D and 2-D) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 3, 9, 10}, 20, -2, 2);
  for (int64_t p : {1, 2, 3}) {
    CAPTURE(p);
    compare_typed({"LpPool", {x}, {{F32, {2, 3, 5, 5}}},
                   {attr_i("p", p), attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}},
                  F32, 1e-4);
    compare_typed({"LpPool", {x}, {{F32, {2, 3, 5, 9}}}, {attr_i("p", p), attr_ints("kernel_shape", {3, 2}), attr_ints("dilations", {2, 1})}},
                  F32, 1e-4);
    compare_typed({"LpPool", {x}, {{F32, {2, 3, 5, 5}}},
                   {attr_i("p", p), attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2}), attr_s("auto_pad", "SAME_UPPER")}},
                  F32, 1e-4);
    compare_typed({"LpPool", {rand_f32({2, 4, 11}, 21)}, {{F32, {2, 4, 9}}}, {attr_i("p", p), attr_ints("kernel_shape", {3})}}, F32, 1e-4);
  }
}

TEST_CASE("MaxUnpool (default and larger output shapes, any dtype) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // Indices as MaxPool (kernel 2, stride 2) writes them over 4x4 planes: one tap of each window.
  std::vector<int64_t> idx;
  for (int64_t plane = 0; plane < 6; ++plane)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t w = 0; w < 2; ++w) idx.push_back(plane * 16 + (2 * h + (plane + w) % 2) * 4 + 2 * w + (plane + h) % 2);
  const tensor_data indices = i64({2, 3, 2, 2}, idx), x = rand_f32({2, 3, 2, 2}, 30);
  const std::vector<attr> attrs = {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})};
  compare_typed({"MaxUnpool", {x, indices}, {{F32, {2, 3, 4, 4}}}, attrs}, F32, 0);
  compare_typed({"MaxUnpool", {x, indices, i64({4}, {2, 3, 5, 6}, true)}, {{F32, {2, 3, 5, 6}}}, attrs}, F32, 0);
  compare_typed({"MaxUnpool", {x, indices}, {{F32, {2, 3, 4, 4}}}, attrs}, F16, 0);
  std::vector<int64_t> values(24);
  for (size_t i = 0; i < values.size(); ++i) values[i] = int64_t(i) * 1000003 - 7;
  compare_typed({"MaxUnpool", {i64({2, 3, 2, 2}, values), indices}, {{I64, {2, 3, 4, 4}}}, attrs}, F32, 0);
  std::vector<uint8_t> bytes(24);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 11 + 1);
  compare_typed({"MaxUnpool", {tensor_data::of(U8, {2, 3, 2, 2}, bytes), indices}, {{U8, {2, 3, 4, 4}}}, attrs}, F32, 0);
}

TEST_CASE("AffineGrid (2-D and 3-D, align_corners) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t align : {0, 1}) {
    CAPTURE(align);
    compare_float_dtypes({"AffineGrid", {rand_f32({2, 2, 3}, 40, -2, 2), i64({4}, {2, 3, 5, 7}, true)}, {{F32, {2, 5, 7, 2}}},
                        {attr_i("align_corners", align)}});
    compare_float_dtypes({"AffineGrid", {rand_f32({1, 3, 4}, 41, -2, 2), i64({5}, {1, 2, 3, 4, 5}, true)}, {{F32, {1, 3, 4, 5, 3}}},
                        {attr_i("align_corners", align)}});
    compare_float_dtypes({"AffineGrid", {rand_f32({1, 2, 3}, 42), i64({4}, {1, 1, 1, 6}, true)}, {{F32, {1, 1, 6, 2}}},
                        {attr_i("align_corners", align)}});
  }
}

TEST_CASE("Col2Im (2-D with pads, dilations, strides; 1-D; block_shape read back) and CenterCropPad match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_float_dtypes({"Col2Im", {rand_f32({1, 12, 16}, 50), i64({2}, {5, 6}, true), i64({2}, {2, 3}, true)}, {{F32, {1, 2, 5, 6}}}});
  compare_float_dtypes({"Col2Im", {rand_f32({2, 12, 18}, 51), i64({2}, {5, 6}, true), i64({2}, {2, 3}, true)}, {{F32, {2, 2, 5, 6}}},
                      {attr_ints("pads", {1, 0, 1, 2}), attr_ints("dilations", {2, 1}), attr_ints("strides", {2, 1})}});
  compare_float_dtypes({"Col2Im", {rand_f32({2, 6, 4}, 52), i64({1}, {10}), i64({1}, {3})}, {{F32, {2, 2, 10}}}, {attr_ints("strides", {2})}});
  const tensor_data x = rand_f32({5, 6, 7}, 53);
  compare_typed({"CenterCropPad", {x, i64({3}, {3, 8, 7}, true)}, {{F32, {3, 8, 7}}}}, F32, 0);
  compare_typed({"CenterCropPad", {x, i64({2}, {4, 9}, true)}, {{F32, {4, 6, 9}}}, {attr_ints("axes", {0, -1})}}, F32, 0);
  compare_typed({"CenterCropPad", {x, i64({3}, {8, 1, 2})}, {{F32, {8, 1, 2}}}}, F16, 0);
  std::vector<uint8_t> bytes(4 * 5);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 13 + 1);
  compare_typed({"CenterCropPad", {tensor_data::of(U8, {4, 5}, bytes), i64({2}, {7, 2}, true)}, {{U8, {7, 2}}}}, F32, 0);
}

TEST_CASE("DeformConv (groups, offset groups, mask, bias, pads, strides) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_float_dtypes({"DeformConv",
                      {rand_f32({1, 4, 6, 7}, 60), rand_f32({6, 2, 3, 3}, 61), rand_f32({1, 36, 6, 7}, 62, -2, 2), rand_f32({6}, 63),
                       rand_f32({1, 18, 6, 7}, 64, 0, 1)},
                      {{F32, {1, 6, 6, 7}}},
                      {attr_i("group", 2), attr_i("offset_group", 2), attr_ints("pads", {1, 1, 1, 1})}});
  compare_float_dtypes({"DeformConv", {rand_f32({2, 3, 7, 8}, 65), rand_f32({4, 3, 2, 2}, 66), rand_f32({2, 8, 3, 4}, 67, -3, 3)},
                      {{F32, {2, 4, 3, 4}}}, {attr_ints("strides", {2, 2})}});
  compare_float_dtypes({"DeformConv", {rand_f32({1, 2, 9, 9}, 68), rand_f32({2, 2, 3, 3}, 69), rand_f32({1, 18, 5, 5}, 70, -1, 1)},
                      {{F32, {1, 2, 5, 5}}}, {attr_ints("dilations", {2, 2})}});
}

}  // TEST_SUITE

