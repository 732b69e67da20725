// backends/cuda/kernels/sampling.hpp — GridSample and RoiAlign (outputs interpolated from X at
// computed coordinates) and AffineGrid (GridSample's grid from affine matrices).
#pragma once

#include "backends/cuda/kernels/launch.hpp"
#include "backends/support/grid_taps.hpp"

namespace mirt::cuda {

using support::grid_mode;
using support::grid_padding;

// GridSample: x [N, C, D1..Dr], grid [N, P1..Pr, r] (normalized to [-1, 1], innermost spatial dim
// first), y [N, C, P1..Pr]. x and y share a float dtype (float32, float64, float16, bfloat16);
// grid may have another. Coordinates in x's compute type (float, double for float64).
constexpr int k_grid_max_dims = 6;
struct grid_sample_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32, grid_dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  const void* grid = nullptr;
  void* y = nullptr;
  int64_t batch = 0, channels = 0, points = 0;
  int rank = 2;
  int64_t in[k_grid_max_dims] = {};
  grid_mode mode = grid_mode::linear;
  grid_padding padding = grid_padding::zeros;
  bool align_corners = false;
};
status launch_grid_sample(const grid_sample_params& p, cudaStream_t stream);

// RoiAlign: x [N, C, H, W], rois [R, 4] (x1, y1, x2, y2; x's dtype), batch [R] (int32 or int64; one
// outside [0, N) gives zeros: the device cannot report it), y [R, C, out_h, out_w]. Bins average
// (or take the largest of) sampling_ratio^2 bilinear samples (ceil(bin size) per side when 0),
// in double.
struct roi_align_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  const void* rois = nullptr;
  const void* batch = nullptr;
  bool batch_int64 = true;
  void* y = nullptr;
  int64_t n = 0, channels = 0, height = 0, width = 0, count = 0, out_h = 1, out_w = 1, ratio = 0;
  float scale = 1.f;
  bool max = false, half_pixel = true;
};
status launch_roi_align(const roi_align_params& p, cudaStream_t stream);

// AffineGrid: y [N, (D,) H, W, r] = theta [N, r, r + 1] applied to (x, y[, z], 1), the normalized
// coordinates of each pixel's center (align_corners 0: -1 + (2i + 1) / n) or corner
// (align_corners 1: -1 + 2i / (n - 1)); r is 2 or 3; theta and y share a float dtype; in double.
struct affine_grid_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* theta = nullptr;
  void* y = nullptr;
  int64_t batch = 0, depth = 1, height = 0, width = 0;
  int rank = 2;
  bool align_corners = false;
};
status launch_affine_grid(const affine_grid_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
