// backends/cuda/kernels/deform_conv.cu — DeformConv, one output value per thread computing its
// samples on the fly (no column buffer). Reference: backends/cpu/ops/deform_conv.cpp (the same
// sampling arithmetic and order of sums).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/deform_conv.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class C, class T>
__device__ C sample(const T* image, int64_t height, int64_t width, C y, C x) {
  if (!(y > C(-1) && y < C(height) && x > C(-1) && x < C(width))) return C(0);  // also NaN
  const C fy = floor(y), fx = floor(x);
  const int64_t y0 = int64_t(fy), x0 = int64_t(fx);
  const C ly = y - fy, lx = x - fx;
  auto at = [&](int64_t yy, int64_t xx) {
    return yy >= 0 && yy < height && xx >= 0 && xx < width ? widen_to<C>(image[yy * width + xx]) : C(0);
  };
  return (C(1) - ly) * ((C(1) - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) + ly * ((C(1) - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1));
}

template <class T>
__global__ void deform_conv(deform_conv_params p) {
  using C = compute_t<T>;
  const T *x = static_cast<const T*>(p.x), *w = static_cast<const T*>(p.w), *off = static_cast<const T*>(p.offset);
  const T *mask = static_cast<const T*>(p.mask), *bias = static_cast<const T*>(p.bias);
  T* y = static_cast<T*>(p.y);
  const int64_t taps = p.kh * p.kw, positions = p.oh * p.ow, total = p.batch * p.out_channels * positions;
  const int64_t group_in = p.channels / p.group, group_out = p.out_channels / p.group, per_offset_group = p.channels / p.offset_group;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t pos = e % positions, oc = (e / positions) % p.out_channels, b = e / (positions * p.out_channels);
    const int64_t r = pos / p.ow, s = pos % p.ow, g = oc / group_out;
    C acc = bias ? widen_to<C>(bias[oc]) : C(0);
    for (int64_t k = 0; k < group_in * taps; ++k) {
      const int64_t c = g * group_in + k / taps, tap = k % taps, i = tap / p.kw, j = tap % p.kw, og = c / per_offset_group;
      const T* offsets = off + (b * p.offset_group + og) * 2 * taps * positions;
      const C sy = C(r * p.stride[0] - p.pad[0] + i * p.dilation[0]) + widen_to<C>(offsets[(2 * tap) * positions + pos]);
      const C sx = C(s * p.stride[1] - p.pad[1] + j * p.dilation[1]) + widen_to<C>(offsets[(2 * tap + 1) * positions + pos]);
      C v = sample<C>(x + (b * p.channels + c) * p.height * p.width, p.height, p.width, sy, sx);
      if (mask) v *= widen_to<C>(mask[(b * p.offset_group + og) * taps * positions + tap * positions + pos]);
      acc += widen_to<C>(w[oc * group_in * taps + k]) * v;
    }
    y[e] = T(acc);
  }
}

}  // namespace

status launch_deform_conv(const deform_conv_params& p, cudaStream_t stream) {
  const int64_t total = p.batch * p.out_channels * p.oh * p.ow;
  if (total == 0) return {};
  if (!p.x || !p.w || !p.offset || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "DeformConv: NULL buffer");
  if (p.group < 1 || p.offset_group < 1 || p.channels % p.group != 0 || p.out_channels % p.group != 0 || p.channels % p.offset_group != 0)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "DeformConv: channels do not split into groups and offset groups");
  if (p.dtype == MIRT_DTYPE_FLOAT64) {
    deform_conv<double><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("deform_conv");
  }
  return dispatch_real(p.dtype, "DeformConv", [&](auto tag) {
    deform_conv<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("deform_conv");
  });
}

}  // namespace mirt::cuda
