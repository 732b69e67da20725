// backends/cuda/kernels/resize.hpp — Resize's launcher: nearest (any dtype, by element size),
// linear and cubic (float32, float16, bfloat16, computed in float32; antialiased in double) over
// any rank.
#pragma once

#include "backends/cuda/kernels/launch.hpp"
#include "backends/support/resize_modes.hpp"

namespace mirt::cuda {

using support::resize_coord;
using support::resize_interp;
using support::resize_nearest;

// y = resize(x) in one pass: each output element sums its taps over the resized dims (nearest: one
// tap; linear: 2 per resized dim; cubic: 4; antialiased: the filter widened by 1 / scale on each
// downscaled dim), with ONNX's coordinate transforms computed in double. Dims with resized[d] == 0
// map one to one. The attributes (keep_aspect_ratio_policy aside, already applied to the scales)
// are the shared resize_modes.
struct resize_params : support::resize_modes {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  size_t element_size = 4;  // nearest only reads this
  const void* x = nullptr;
  void* y = nullptr;
  int rank = 0;
  int64_t n = 0;  // elements of y
  int64_t in_shape[k_max_rank] = {}, out_shape[k_max_rank] = {}, in_strides[k_max_rank] = {};
  int32_t resized[k_max_rank] = {};
  double scale[k_max_rank] = {}, roi0[k_max_rank] = {}, roi1[k_max_rank] = {};
};
status launch_resize(const resize_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
