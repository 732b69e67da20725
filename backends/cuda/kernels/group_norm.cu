// backends/cuda/kernels/group_norm.cu — GroupNormalization, InstanceNormalization (a group per
// channel) and RMSNormalization.
//
// Kernels:
//   group_norm_block  one block per (n, group) slice: the sum, then the sum of squared deviations
//                     from the mean (two passes, double accumulation, block reductions through
//                     shared memory), then the normalized slice with per-channel or per-group affine.
//   rms_norm_row      one block per row (32 to 256 threads by row length): the mean of squares in
//                     double, then the scaled row.
// Reference: backends/cpu/ops/channel_norms.cpp and normalization.cpp (double statistics too).
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/block_reduce.cuh"
#include "backends/cuda/kernels/group_norm.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

constexpr int k_max_threads = 256;

template <class T>
__global__ void __launch_bounds__(k_max_threads) group_norm_block(group_norm_params p) {
  __shared__ double shared[k_max_threads / 32];
  const int64_t slice = blockIdx.x, g = slice % p.groups, per_group = p.c / p.groups, count = per_group * p.inner;
  const T* px = static_cast<const T*>(p.x) + slice * count;
  T* py = static_cast<T*>(p.y) + slice * count;
  const T* scale = static_cast<const T*>(p.scale);
  const T* bias = static_cast<const T*>(p.bias);
  double s = 0;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) s += double(float(px[i]));
  const double mean = block_sum(s, shared) / double(count);
  double q = 0;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    const double d = double(float(px[i])) - mean;
    q += d * d;
  }
  const double inv = 1.0 / sqrt(block_sum(q, shared) / double(count) + double(p.epsilon));
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    const int64_t k = p.per_channel ? g * per_group + i / p.inner : g;
    const float a = float(double(float(scale[k])) * inv);
    py[i] = T((float(px[i]) - float(mean)) * a + float(bias[k]));
  }
}

template <class T>
__global__ void __launch_bounds__(k_max_threads) rms_norm_row(rms_norm_params p) {
  __shared__ double shared[k_max_threads / 32];
  const int64_t row = blockIdx.x;
  const T* px = static_cast<const T*>(p.x) + row * p.cols;
  T* py = static_cast<T*>(p.y) + row * p.cols;
  const T* scale = static_cast<const T*>(p.scale);
  double q = 0;
  for (int64_t i = threadIdx.x; i < p.cols; i += blockDim.x) {
    const double v = double(float(px[i]));
    q += v * v;
  }
  const float inv = float(1.0 / sqrt(block_sum(q, shared) / double(p.cols) + double(p.epsilon)));
  for (int64_t i = threadIdx.x; i < p.cols; i += blockDim.x) py[i] = T(float(px[i]) * inv * float(scale[i % p.scale_n]));
}

int threads_for(int64_t count) {
  int t = 32;
  while (t < k_max_threads && t < count) t *= 2;
  return t;
}

}  // namespace

status launch_group_norm(const group_norm_params& p, cudaStream_t stream) {
  if (p.groups <= 0 || p.c % p.groups != 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "group_norm: channels not divisible by groups");
  if (p.n * p.c == 0 || p.inner == 0) return {};
  if (!p.x || !p.y || !p.scale || !p.bias) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "group_norm: NULL buffer");
  if (p.n * p.groups > int64_t(INT32_MAX)) return make_error(MIRT_STATUS_UNSUPPORTED, "group_norm: too many groups");
  return dispatch_real(p.dtype, "group_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    group_norm_block<T><<<unsigned(p.n * p.groups), threads_for(p.c / p.groups * p.inner), 0, stream>>>(p);
    return check_launch("group_norm_block");
  });
}

status launch_rms_norm(const rms_norm_params& p, cudaStream_t stream) {
  if (p.rows == 0 || p.cols == 0) return {};
  if (!p.x || !p.y || !p.scale || p.scale_n <= 0) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "rms_norm: NULL buffer");
  if (p.rows > int64_t(INT32_MAX)) return make_error(MIRT_STATUS_UNSUPPORTED, "rms_norm: more than 2^31 rows");
  return dispatch_real(p.dtype, "rms_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    rms_norm_row<T><<<unsigned(p.rows), threads_for(p.cols), 0, stream>>>(p);
    return check_launch("rms_norm_row");
  });
}

}  // namespace mirt::cuda
