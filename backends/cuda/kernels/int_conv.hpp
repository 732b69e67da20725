// backends/cuda/kernels/int_conv.hpp — ConvInteger (int32 out) and QLinearConv (requantized
// int8/uint8 out, optional int32 bias).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x [N, C, in...] and w [M, C / group, k...] int8 or uint8 (1 to 3 spatial dims, as 3 with leading
// unit dims), y [N, M, out...]: acc = sum of (x - x_zp) (w - w_zp[m]) over the window in int32
// (padding reads as x's zero point, i.e. contributes 0). x_zp per tensor, w_zp per tensor or per
// output channel (NULL: 0). With y_scale (QLinearConv): y = saturate(round_half_even((acc + B[m]) *
// (x_scale * w_scale[m] / y_scale)) + y_zero_point). One thread per output value: a direct loop,
// not a tuned convolution.
struct int_conv_params {
  mirt_dtype x_dtype = MIRT_DTYPE_UINT8, w_dtype = MIRT_DTYPE_INT8, y_dtype = MIRT_DTYPE_INT32;
  const void *x = nullptr, *w = nullptr;
  void* y = nullptr;
  int64_t batch = 0, channels = 0, out_channels = 0, group = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1},
          pad[3] = {0, 0, 0};
  const void *x_zero = nullptr, *w_zero = nullptr;
  mirt_dtype x_zero_dtype = MIRT_DTYPE_UINT8, w_zero_dtype = MIRT_DTYPE_INT8;
  bool w_zero_per_channel = false;
  // QLinearConv only (y_scale NULL for ConvInteger).
  const void *x_scale = nullptr, *w_scale = nullptr, *y_scale = nullptr, *y_zero = nullptr;
  const int32_t* bias = nullptr;
  mirt_dtype x_scale_dtype = MIRT_DTYPE_FLOAT32, w_scale_dtype = MIRT_DTYPE_FLOAT32, y_scale_dtype = MIRT_DTYPE_FLOAT32,
             y_zero_dtype = MIRT_DTYPE_UINT8;
  bool w_scale_per_channel = false;
};
status launch_int_conv(const int_conv_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
