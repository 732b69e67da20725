// tests/backends/cpu/test_col2im_center_crop.cpp — Col2Im with dilations, pads and strides together
// over several channels and a batch, in float32 and float64, and CenterCropPad cropping and padding
// odd differences on int64 data, against loops written here.
#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("Col2Im with dilations, pads and strides sums overlapping blocks back into the image") {
  // N 2, C 3, image 7x6, block 2x3, dilations (2, 1), pads (1, 0, 0, 2), strides (1, 2).
  const int64_t N = 2, C = 3, H = 7, W = 6, kh = 2, kw = 3, dh = 2, dw = 1, pt = 1, pl = 0, pb = 0, pr = 2, sh = 1, sw = 2;
  const int64_t oh = (H + pt + pb - (dh * (kh - 1) + 1)) / sh + 1, ow = (W + pl + pr - (dw * (kw - 1) + 1)) / sw + 1;
  const auto x = random_floats(N * C * kh * kw * oh * ow, -1, 1, 31);
  std::vector<double> want(size_t(N * C * H * W), 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          for (int64_t r = 0; r < oh; ++r)
            for (int64_t s = 0; s < ow; ++s) {
              const int64_t y = r * sh - pt + i * dh, z = s * sw - pl + j * dw;
              if (y < 0 || y >= H || z < 0 || z >= W) continue;
              const int64_t row = (c * kh + i) * kw + j, col = r * ow + s;
              want[size_t(((n * C + c) * H + y) * W + z)] += x[size_t((n * C * kh * kw + row) * oh * ow + col)];
            }
  op_call call{"Col2Im", {f32({N, C * kh * kw, oh * ow}, x), i64({2}, {H, W}), i64({2}, {kh, kw})},
               {{MIRT_DTYPE_FLOAT32, {N, C, H, W}}},
               {attr_ints("dilations", {dh, dw}), attr_ints("pads", {pt, pl, pb, pr}), attr_ints("strides", {sh, sw})}};
  check_close(run_f32(call), want);
  // float64: the same sums.
  call.inputs[0] = tensor_data::of<double>(MIRT_DTYPE_FLOAT64, call.inputs[0].shape, std::vector<double>(x.begin(), x.end()));
  call.outputs[0].dtype = MIRT_DTYPE_FLOAT64;
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<double> got = r.outputs[0].values<double>();
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
}

TEST_CASE("Col2Im refuses columns that do not match the blocks") {
  op_result r = run({"Col2Im", {f32({1, 4, 5}, std::vector<float>(20, 1)), i64({2}, {3, 3}), i64({2}, {2, 2})},
                     {{MIRT_DTYPE_FLOAT32, {1, 1, 3, 3}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("expected [N, C * 4, 4]") != std::string::npos);
}

TEST_CASE("CenterCropPad crops and pads odd differences around the center, any dtype") {
  // x [5, 4, 3] int64 -> [2, 7, 3]: axis 0 crops 3 (start 1), axis 1 pads 3 (offset 1).
  std::vector<int64_t> x(5 * 4 * 3);
  for (size_t i = 0; i < x.size(); ++i) x[i] = int64_t(i) + 1;
  op_result r = run({"CenterCropPad", {i64({5, 4, 3}, x), i64({2}, {2, 7})}, {{MIRT_DTYPE_INT64, {2, 7, 3}}},
                     {attr_ints("axes", {0, -2})}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  std::vector<int64_t> want(2 * 7 * 3, 0);
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 7; ++b)
      for (int64_t c = 0; c < 3; ++c) {
        const int64_t ia = a + (5 - 2) / 2, ib = b - (7 - 4) / 2;
        if (ib >= 0 && ib < 4) want[size_t((a * 7 + b) * 3 + c)] = x[size_t((ia * 4 + ib) * 3 + c)];
      }
  CHECK(r.outputs[0].values<int64_t>() == want);
}

}  // TEST_SUITE
