// backends/cuda/kernels/resize.hpp — Resize's launcher: nearest (any dtype, by element size),
// linear and cubic (float32, float16, bfloat16, computed in float32) over any rank.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class resize_interp : int32_t { nearest, linear, cubic };
// tf_half_pixel_for_nn is opset 11-12's.
enum class resize_coord : int32_t {
  half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, tf_half_pixel_for_nn
};
enum class resize_nearest : int32_t { round_prefer_floor, round_prefer_ceil, floor, ceil };

// y = resize(x) in one pass: each output element sums its taps over the resized dims (nearest: one
// tap; linear: 2 per resized dim; cubic: 4), with ONNX's coordinate transforms computed in double.
// Dims with resized[d] == 0 map one to one.
struct resize_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  size_t element_size = 4;  // nearest only reads this
  const void* x = nullptr;
  void* y = nullptr;
  resize_interp mode = resize_interp::nearest;
  resize_coord transform = resize_coord::half_pixel;
  resize_nearest rule = resize_nearest::round_prefer_floor;
  bool exclude_outside = false;
  float cubic_a = -0.75f, extrapolation = 0;
  int rank = 0;
  int64_t n = 0;  // elements of y
  int64_t in_shape[k_max_rank] = {}, out_shape[k_max_rank] = {}, in_strides[k_max_rank] = {};
  int32_t resized[k_max_rank] = {};
  double scale[k_max_rank] = {}, roi0[k_max_rank] = {}, roi1[k_max_rank] = {};
};
status launch_resize(const resize_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
