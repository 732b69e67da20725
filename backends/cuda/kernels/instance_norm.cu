// backends/cuda/kernels/instance_norm.cu — InstanceNormalization.
//
// Kernels:
//   instance_norm_plane  one block per (n, c) plane: the sum and the sum of squared deviations from
//                        the mean (two passes, double accumulation, block reductions through shared
//                        memory), then the normalized plane. Reference: backends/cpu/ops/normalization.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/instance_norm.hpp"

namespace mirt::cuda {
namespace {

constexpr int k_threads = 256;

// The block's sum of v (every thread gets it).
__device__ double block_sum(double v, double* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // shared may still be read from the previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  double s = 0;
  for (int w = 0; w < k_threads / 32; ++w) s += shared[w];
  return s;
}

template <class T>
__global__ void __launch_bounds__(k_threads) instance_norm_plane(const T* x, T* y, const T* scale, const T* bias, int64_t c,
                                                                 int64_t inner, float eps) {
  __shared__ double shared[k_threads / 32];
  const int64_t plane = blockIdx.x, ch = plane % c;
  const T* px = x + plane * inner;
  T* py = y + plane * inner;
  double s = 0;
  for (int64_t i = threadIdx.x; i < inner; i += k_threads) s += double(float(px[i]));
  const double mean = block_sum(s, shared) / double(inner);
  double q = 0;
  for (int64_t i = threadIdx.x; i < inner; i += k_threads) {
    const double d = double(float(px[i])) - mean;
    q += d * d;
  }
  const double var = block_sum(q, shared) / double(inner);
  const float a = float(double(float(scale[ch])) / sqrt(var + double(eps)));
  const float b = float(double(float(bias[ch])) - mean * double(a));
  for (int64_t i = threadIdx.x; i < inner; i += k_threads) py[i] = T(float(px[i]) * a + b);
}

}  // namespace

status launch_instance_norm(const instance_norm_params& p, cudaStream_t stream) {
  if (p.n * p.c == 0 || p.inner == 0) return {};
  if (!p.x || !p.y || !p.scale || !p.bias) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "instance_norm: NULL buffer");
  if (p.n * p.c > int64_t(INT32_MAX)) return make_error(MIRT_STATUS_UNSUPPORTED, "instance_norm: too many planes");
  return dispatch_real(p.dtype, "instance_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    instance_norm_plane<T><<<unsigned(p.n * p.c), k_threads, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y),
                                                                          static_cast<const T*>(p.scale), static_cast<const T*>(p.bias),
                                                                          p.c, p.inner, p.epsilon);
    return check_launch("instance_norm_plane");
  });
}

}  // namespace mirt::cuda
