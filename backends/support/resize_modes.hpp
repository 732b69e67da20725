// backends/support/resize_modes.hpp — Resize's attributes as plain enums and one struct, and the
// per-axis arithmetic every backend shares (ONNX's source coordinate, the nearest rounding rules,
// the antialiasing filters), so that the cpu and cuda kernels compute the same thing. Host and
// device code, no std:: containers; the attribute reader, host only, is declared at the end out of
// .cu files' sight.
#pragma once

#include <math.h>

#include <cstdint>

#ifdef __CUDACC__
#define MIRT_RESIZE_FN __host__ __device__ inline
#else
#define MIRT_RESIZE_FN inline
#endif

namespace mirt::support {

enum class resize_interp : int32_t { nearest, linear, cubic };
// tf_half_pixel_for_nn is opset 11-12's (removed in 13).
enum class resize_coord : int32_t {
  half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, tf_half_pixel_for_nn
};
enum class resize_nearest : int32_t { round_prefer_floor, round_prefer_ceil, floor, ceil };
enum class resize_aspect : int32_t { stretch, not_larger, not_smaller };

// Every Resize attribute but `axes`, with ONNX's defaults.
struct resize_modes {
  resize_interp mode = resize_interp::nearest;                  // mode
  resize_coord transform = resize_coord::half_pixel;            // coordinate_transformation_mode
  resize_nearest rule = resize_nearest::round_prefer_floor;     // nearest_mode
  resize_aspect policy = resize_aspect::stretch;                // keep_aspect_ratio_policy
  bool antialias = false, exclude_outside = false;
  float cubic_a = -0.75f, extrapolation = 0;                    // cubic_coeff_a, extrapolation_value
};

// The source coordinate of output position y on an axis of `in` input and `out` output positions
// at this scale (ONNX's x_original); roi0 and roi1 are tf_crop_and_resize's region on the axis.
MIRT_RESIZE_FN double resize_source_coord(resize_coord transform, double y, double scale, double in, double out, double roi0,
                                          double roi1) {
  const double out_w = scale * in;
  switch (transform) {
    case resize_coord::half_pixel: return (y + 0.5) / scale - 0.5;
    case resize_coord::half_pixel_symmetric: return in / 2 * (1 - out / out_w) + (y + 0.5) / scale - 0.5;
    case resize_coord::pytorch_half_pixel: return out_w == 1 ? -0.5 : (y + 0.5) / scale - 0.5;
    case resize_coord::align_corners: return out_w == 1 ? 0 : y * (in - 1) / (out_w - 1);
    case resize_coord::asymmetric: return y / scale;
    case resize_coord::tf_half_pixel_for_nn: return (y + 0.5) / scale;
    case resize_coord::tf_crop_and_resize:
      return (out_w == 1 ? (roi1 - roi0) * (in - 1) / 2 : y * (roi1 - roi0) * (in - 1) / (out_w - 1)) + roi0 * (in - 1);
  }
  return 0;
}

// The input index nearest mode picks for source coordinate x (not yet clamped to the axis).
MIRT_RESIZE_FN int64_t resize_nearest_index(resize_nearest rule, double x) {
  const double fl = ::floor(x), frac = x - fl;
  int64_t pick = int64_t(fl);
  if (x == fl) return pick;
  switch (rule) {
    case resize_nearest::round_prefer_floor: return pick + (frac > 0.5 ? 1 : 0);
    case resize_nearest::round_prefer_ceil: return pick + (frac >= 0.5 ? 1 : 0);
    case resize_nearest::floor: return pick;
    case resize_nearest::ceil: return pick + 1;
  }
  return pick;
}

// Antialiased taps (a downscale, 0 < scale < 1): the filter is stretched by 1 / scale. For the
// fractional position ratio in (0, 1] (1 for an integer coordinate, read from the position below),
// the taps run from offset `first` over `count` positions; their weights, filter(scale |first + k -
// ratio|), are normalized to sum 1 by the caller. Linear's support is 1, cubic's 2.
MIRT_RESIZE_FN int64_t resize_antialias_first(resize_interp mode, double scale) {
  return int64_t(::floor(-(mode == resize_interp::linear ? 1.0 : 2.0) / scale)) + 1;
}
MIRT_RESIZE_FN int64_t resize_antialias_count(int64_t first) { return 2 - 2 * first; }

// The unnormalized weight at distance x >= 0 (in input positions times the scale): linear's
// triangle, or Keys' cubic with coefficient a.
MIRT_RESIZE_FN double resize_filter(resize_interp mode, double a, double x) {
  if (mode == resize_interp::linear) return x < 1 ? 1 - x : 0;
  if (x <= 1) return (a + 2) * x * x * x - (a + 3) * x * x + 1;
  return x < 2 ? a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a : 0;
}

}  // namespace mirt::support

#ifndef __CUDACC__
#include "backends/support/node_view.hpp"

namespace mirt::support {

// Reads every attribute resize_modes holds; fails with INVALID_GRAPH naming an attribute with an
// unknown value, or antialias=1 with mode nearest.
resize_modes read_resize_modes(const node_view& node);

}  // namespace mirt::support
#endif
