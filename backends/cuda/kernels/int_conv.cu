// backends/cuda/kernels/int_conv.cu — ConvInteger and QLinearConv, one output value per thread
// with an int32 sum over its window. Reference: backends/cpu/ops/quant_conv.cpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/int_conv.hpp"
#include "backends/cuda/kernels/requantize.cuh"

namespace mirt::cuda {
namespace {

template <class X, class W, class Y>
__global__ void int_conv(int_conv_params p) {
  const X* x = static_cast<const X*>(p.x);
  const W* w = static_cast<const W*>(p.w);
  Y* y = static_cast<Y*>(p.y);
  const int64_t out_size = p.out[0] * p.out[1] * p.out[2], in_size = p.in[0] * p.in[1] * p.in[2];
  const int64_t cg = p.channels / p.group, mg = p.out_channels / p.group, ksize = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const int64_t total = p.batch * p.out_channels * out_size;
  const int32_t zx = p.x_zero ? int_at(p.x_zero, p.x_zero_dtype, 0) : 0;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = e % out_size, m = (e / out_size) % p.out_channels, n = e / (out_size * p.out_channels);
    const int64_t ow = o % p.out[2], oh = (o / p.out[2]) % p.out[1], od = o / (p.out[2] * p.out[1]);
    const int32_t zw = p.w_zero ? int_at(p.w_zero, p.w_zero_dtype, p.w_zero_per_channel ? m : 0) : 0;
    const int64_t grp = m / mg;
    int32_t acc = 0;
    for (int64_t c = 0; c < cg; ++c) {
      const X* plane = x + (n * p.channels + grp * cg + c) * in_size;
      const W* taps = w + (m * cg + c) * ksize;
      for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
        const int64_t id = od * p.stride[0] - p.pad[0] + kd * p.dilation[0];
        if (id < 0 || id >= p.in[0]) continue;
        for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
          const int64_t ih = oh * p.stride[1] - p.pad[1] + kh * p.dilation[1];
          if (ih < 0 || ih >= p.in[1]) continue;
          for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
            const int64_t iw = ow * p.stride[2] - p.pad[2] + kw * p.dilation[2];
            if (iw < 0 || iw >= p.in[2]) continue;
            acc += (int32_t(plane[(id * p.in[1] + ih) * p.in[2] + iw]) - zx) *
                   (int32_t(taps[(kd * p.kernel[1] + kh) * p.kernel[2] + kw]) - zw);
          }
        }
      }
    }
    if constexpr (std::is_same_v<Y, int32_t>) {
      y[e] = acc;
    } else {
      const float sx = scale_at(p.x_scale, p.x_scale_dtype, 0), sy = scale_at(p.y_scale, p.y_scale_dtype, 0);
      const float sw = scale_at(p.w_scale, p.w_scale_dtype, p.w_scale_per_channel ? m : 0);
      const double mult = scale_ratio(sx, sw, sy, p.x_scale_dtype);
      const double zy = p.y_zero ? double(int_at(p.y_zero, p.y_zero_dtype, 0)) : 0.0;
      y[e] = saturate_round<Y>(__dmul_rn(double(acc + (p.bias ? p.bias[m] : 0)), mult), zy);
    }
  }
}

template <class X, class W>
status by_output(const int_conv_params& p, cudaStream_t stream) {
  const int64_t total = p.batch * p.out_channels * p.out[0] * p.out[1] * p.out[2];
  switch (p.y_dtype) {
    case MIRT_DTYPE_INT32: int_conv<X, W, int32_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    case MIRT_DTYPE_INT8: int_conv<X, W, int8_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    case MIRT_DTYPE_UINT8: int_conv<X, W, uint8_t><<<grid_for(total), k_block, 0, stream>>>(p); break;
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "integer conv: output dtype is not int32, int8 or uint8");
  }
  return check_launch("int_conv");
}

template <class X>
status by_w(const int_conv_params& p, cudaStream_t stream) {
  if (p.w_dtype == MIRT_DTYPE_UINT8) return by_output<X, uint8_t>(p, stream);
  return by_output<X, int8_t>(p, stream);
}

}  // namespace

status launch_int_conv(const int_conv_params& p, cudaStream_t stream) {
  if (p.batch * p.out_channels * p.out[0] * p.out[1] * p.out[2] == 0) return {};
  if (!p.x || !p.w || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "integer conv: NULL buffer");
  if (p.group < 1 || p.channels % p.group != 0 || p.out_channels % p.group != 0)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "integer conv: channels do not split into groups");
  if (p.y_dtype != MIRT_DTYPE_INT32 && (!p.x_scale || !p.w_scale || !p.y_scale))
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "QLinearConv: a scale is missing");
  if (p.x_dtype == MIRT_DTYPE_UINT8) return by_w<uint8_t>(p, stream);
  return by_w<int8_t>(p, stream);
}

}  // namespace mirt::cuda
