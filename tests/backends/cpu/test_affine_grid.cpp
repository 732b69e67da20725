// tests/backends/cpu/test_affine_grid.cpp — AffineGrid in 3-D with align_corners 1 and an extent of
// one (the corner coordinate -1), and in 2-D float64, against theta times coordinates computed here.
#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

double coordinate(int64_t i, int64_t n, bool align_corners) {
  if (align_corners) return n > 1 ? -1.0 + 2.0 * double(i) / double(n - 1) : -1.0;
  return (2.0 * double(i) + 1.0) / double(n) - 1.0;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("AffineGrid 3-D with align_corners and a depth of one") {
  const int64_t N = 2, D = 1, H = 3, W = 4;
  const auto theta = random_floats(N * 3 * 4, -1, 1, 51);
  std::vector<double> want;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) {
          const double p[4] = {coordinate(w, W, true), coordinate(h, H, true), coordinate(d, D, true), 1};
          for (int64_t r = 0; r < 3; ++r) {
            double s = 0;
            for (int64_t c = 0; c < 4; ++c) s += theta[size_t((n * 3 + r) * 4 + c)] * p[c];
            want.push_back(s);
          }
        }
  check_close(run_f32({"AffineGrid", {f32({N, 3, 4}, theta), i64({5}, {N, 1, D, H, W})}, {{MIRT_DTYPE_FLOAT32, {N, D, H, W, 3}}},
                       {attr_i("align_corners", 1)}}),
              want);
}

TEST_CASE("AffineGrid 2-D in float64 at pixel centers; a size that disagrees with the output fails") {
  const std::vector<double> theta = {0.5, -0.25, 0.1, 0.3, 1.5, -0.2};
  op_result r = run({"AffineGrid", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, {1, 2, 3}, theta), i64({4}, {1, 1, 2, 3})},
                     {{MIRT_DTYPE_FLOAT64, {1, 2, 3, 2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<double> got = r.outputs[0].values<double>();
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t w = 0; w < 3; ++w) {
      const double x = coordinate(w, 3, false), y = coordinate(h, 2, false);
      CHECK(got[size_t((h * 3 + w) * 2)] == doctest::Approx(theta[0] * x + theta[1] * y + theta[2]).epsilon(1e-14));
      CHECK(got[size_t((h * 3 + w) * 2 + 1)] == doctest::Approx(theta[3] * x + theta[4] * y + theta[5]).epsilon(1e-14));
    }
  r = run({"AffineGrid", {f32({1, 2, 3}, std::vector<float>(6, 0)), i64({4}, {1, 1, 2, 4})}, {{MIRT_DTYPE_FLOAT32, {1, 2, 3, 2}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("does not match [1,2,4,2]") != std::string::npos);
}

}  // TEST_SUITE
