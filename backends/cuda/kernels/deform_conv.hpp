// backends/cuda/kernels/deform_conv.hpp — DeformConv (2-D).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x [N, C, H, W], w [M, C / group, kh, kw], offset [N, offset_group * 2 * kh * kw, oh, ow] (per tap:
// dy then dx), mask [N, offset_group * kh * kw, oh, ow] or NULL, bias [M] or NULL, y [N, M, oh, ow]:
// each tap samples x bilinearly at its regular position plus the offset (corners outside x count
// as 0), times the mask; y sums weight times sample over (input channel, tap) in that order, from
// the bias. float32, float64, float16, bfloat16 (computed in float; float64 in double).
struct deform_conv_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void *x = nullptr, *w = nullptr, *offset = nullptr, *mask = nullptr, *bias = nullptr;
  void* y = nullptr;
  int64_t batch = 0, channels = 0, height = 0, width = 0, out_channels = 0, kh = 1, kw = 1, oh = 0, ow = 0;
  int64_t group = 1, offset_group = 1;
  int64_t stride[2] = {1, 1}, dilation[2] = {1, 1}, pad[2] = {0, 0};
};
status launch_deform_conv(const deform_conv_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
