// tests/backends/cpu/test_roi_align.cpp — RoiAlign against a float64 reference written here: each
// bin's samples interpolated bilinearly from the image (clamped at the border, zero beyond one
// pixel outside), averaged, or in max mode the largest weighted corner.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// The four corners of (y, x) in an h x w image, as weight and value pairs.
std::vector<std::pair<double, double>> corners(const std::vector<float>& img, int64_t h, int64_t w, double y, double x) {
  if (y < -1 || y > double(h) || x < -1 || x > double(w)) return {{0, 0}};
  y = std::min(std::max(y, 0.0), double(h - 1));
  x = std::min(std::max(x, 0.0), double(w - 1));
  const int64_t y0 = int64_t(std::floor(y)), x0 = int64_t(std::floor(x));
  const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
  const double ly = y - double(y0), lx = x - double(x0);
  auto at = [&](int64_t yy, int64_t xx) { return double(img[size_t(yy * w + xx)]); };
  return {{(1 - ly) * (1 - lx), at(y0, x0)}, {(1 - ly) * lx, at(y0, x1)}, {ly * (1 - lx), at(y1, x0)}, {ly * lx, at(y1, x1)}};
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("RoiAlign avg and max, half_pixel and output_half_pixel, two images, against a bilinear reference") {
  const int64_t N = 2, C = 2, H = 6, W = 7, OH = 3, OW = 2, S = 2;
  const auto x = random_floats(N * C * H * W, -1, 1, 71);
  // Boxes inside, across the border and past it; spatial_scale 0.5 maps them onto the image.
  const std::vector<float> rois = {1, 2, 9, 10, -3, -1, 6, 7, 8, 6, 16, 14};
  const std::vector<int64_t> batch = {1, 0, 1};
  const double scale = 0.5;
  for (const char* mode : {"avg", "max"})
    for (const char* coords : {"half_pixel", "output_half_pixel"}) {
      CAPTURE(mode);
      CAPTURE(coords);
      const bool half = std::string(coords) == "half_pixel", max = std::string(mode) == "max";
      std::vector<double> want;
      for (int64_t r = 0; r < 3; ++r)
        for (int64_t c = 0; c < C; ++c) {
          const std::vector<float> img(x.begin() + (batch[size_t(r)] * C + c) * H * W, x.begin() + (batch[size_t(r)] * C + c + 1) * H * W);
          const double off = half ? 0.5 : 0, bx = rois[size_t(r * 4)] * scale - off, by = rois[size_t(r * 4 + 1)] * scale - off;
          double bw = rois[size_t(r * 4 + 2)] * scale - off - bx, bh = rois[size_t(r * 4 + 3)] * scale - off - by;
          if (!half) bw = std::max(bw, 1.0), bh = std::max(bh, 1.0);
          for (int64_t ph = 0; ph < OH; ++ph)
            for (int64_t pw = 0; pw < OW; ++pw) {
              double sum = 0, best = -1e300;
              for (int64_t iy = 0; iy < S; ++iy)
                for (int64_t ix = 0; ix < S; ++ix) {
                  const double y = by + (double(ph) + (double(iy) + 0.5) / S) * bh / OH;
                  const double xx = bx + (double(pw) + (double(ix) + 0.5) / S) * bw / OW;
                  for (auto [wt, v] : corners(img, H, W, y, xx)) sum += wt * v, best = std::max(best, wt * v);
                }
              want.push_back(max ? best : sum / (S * S));
            }
        }
      op_call call{"RoiAlign", {f32({N, C, H, W}, x), f32({3, 4}, rois), i64({3}, batch)}, {{MIRT_DTYPE_FLOAT32, {3, C, OH, OW}}},
                   {attr_s("mode", mode), attr_s("coordinate_transformation_mode", coords), attr_i("output_height", OH),
                    attr_i("output_width", OW), attr_i("sampling_ratio", S), attr_f("spatial_scale", float(scale))}};
      check_close(run_f32(call), want);
    }
}

}  // TEST_SUITE
