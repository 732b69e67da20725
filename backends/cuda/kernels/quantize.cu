// backends/cuda/kernels/quantize.cu — linear (de)quantization, one element per thread, and the
// dynamic form: one block finds the range and writes scale and zero point, then the elements.
// Reference: backends/cpu/ops/quant_linear.cpp (the same float arithmetic, round half to even).
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/quantize.hpp"

namespace mirt::cuda {
namespace {

// A scale or zero point as float.
__device__ inline float param_at(const void* p, mirt_dtype dtype, int64_t i) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return static_cast<const float*>(p)[i];
    case MIRT_DTYPE_FLOAT16: return __half2float(static_cast<const __half*>(p)[i]);
    case MIRT_DTYPE_BFLOAT16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case MIRT_DTYPE_INT32: return float(static_cast<const int32_t*>(p)[i]);
    case MIRT_DTYPE_INT8: return float(static_cast<const int8_t*>(p)[i]);
    case MIRT_DTYPE_UINT8: return float(static_cast<const uint8_t*>(p)[i]);
    default: return 0.f;
  }
}

// round half to even, plus offset, clamped to Q; NaN gives 0.
template <class Q>
__device__ inline Q saturate_round(float v, float offset) {
  const float r = __fadd_rn(rintf(v), offset);
  if (!(r == r)) return Q(0);
  if (r <= float(std::numeric_limits<Q>::lowest())) return std::numeric_limits<Q>::lowest();
  if (r >= float(std::numeric_limits<Q>::max())) return std::numeric_limits<Q>::max();
  return Q(r);
}

__device__ inline int64_t param_index(const quantize_params& p, int64_t e) {
  const int64_t i = e % p.inner, d = (e / p.inner) % p.extent, o = e / (p.inner * p.extent);
  return o * p.so + (d / p.block) * p.sd + i * p.si;
}

template <class X, class Q>
__global__ void quantize_elements(quantize_params p, int64_t n) {
  const X* x = static_cast<const X*>(p.x);
  Q* y = static_cast<Q*>(p.y);
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = param_index(p, e);
    const float z = p.zero ? param_at(p.zero, p.zero_dtype, k) : 0.f;
    y[e] = saturate_round<Q>(__fdiv_rn(float(x[e]), param_at(p.scale, p.scale_dtype, k)), z);
  }
}

template <class X, class Y>
__global__ void dequantize_elements(quantize_params p, int64_t n) {
  const X* x = static_cast<const X*>(p.x);
  Y* y = static_cast<Y*>(p.y);
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = param_index(p, e);
    const double z = p.zero ? double(param_at(p.zero, p.zero_dtype, k)) : 0.0;
    y[e] = Y(__fmul_rn(float(double(x[e]) - z), param_at(p.scale, p.scale_dtype, k)));
  }
}

template <class X>
status quantize_to(const quantize_params& p, int64_t n, cudaStream_t stream) {
  if (p.y_dtype == MIRT_DTYPE_INT8) quantize_elements<X, int8_t><<<grid_for(n), k_block, 0, stream>>>(p, n);
  else if (p.y_dtype == MIRT_DTYPE_UINT8) quantize_elements<X, uint8_t><<<grid_for(n), k_block, 0, stream>>>(p, n);
  else return make_error(MIRT_STATUS_UNSUPPORTED, "QuantizeLinear: output dtype is not int8 or uint8");
  return check_launch("quantize_elements");
}

template <class X>
status dequantize_to(const quantize_params& p, int64_t n, cudaStream_t stream) {
  return dispatch_real(p.y_dtype, "DequantizeLinear output", [&](auto tag) {
    dequantize_elements<X, typename decltype(tag)::type><<<grid_for(n), k_block, 0, stream>>>(p, n);
    return check_launch("dequantize_elements");
  });
}

constexpr int k_range_threads = 1024;

// One block: the range of x (NaN skipped, as std::min and std::max skip it), then scale and zero point.
__global__ void __launch_bounds__(k_range_threads) dynamic_range(dynamic_quantize_params p) {
  float lo = 0.f, hi = 0.f;
  for (int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    const float v = p.x[i];
    lo = v < lo ? v : lo;
    hi = hi < v ? v : hi;
  }
  __shared__ float slo[32], shi[32];
  for (int o = 16; o > 0; o /= 2) {
    const float a = __shfl_xor_sync(0xffffffffu, lo, o), b = __shfl_xor_sync(0xffffffffu, hi, o);
    lo = a < lo ? a : lo;
    hi = hi < b ? b : hi;
  }
  if (threadIdx.x % 32 == 0) slo[threadIdx.x / 32] = lo, shi[threadIdx.x / 32] = hi;
  __syncthreads();
  if (threadIdx.x != 0) return;
  for (int w = 0; w < int(blockDim.x + 31) / 32; ++w) {
    lo = slo[w] < lo ? slo[w] : lo;
    hi = hi < shi[w] ? shi[w] : hi;
  }
  const float scale = hi == lo ? 1.f : __fdiv_rn(__fsub_rn(hi, lo), 255.f);
  *p.scale = scale;
  *p.zero_point = saturate_round<uint8_t>(__fdiv_rn(__fsub_rn(0.f, lo), scale), 0.f);
}

__global__ void dynamic_elements(dynamic_quantize_params p) {
  const float scale = *p.scale, zero = float(*p.zero_point);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.n; i += int64_t(gridDim.x) * blockDim.x)
    p.y[i] = saturate_round<uint8_t>(__fdiv_rn(p.x[i], scale), zero);
}

}  // namespace

status launch_quantize(const quantize_params& p, cudaStream_t stream) {
  const int64_t n = p.outer * p.extent * p.inner;
  if (n == 0) return {};
  if (!p.x || !p.y || !p.scale) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "QuantizeLinear/DequantizeLinear: NULL buffer");
  if (p.block <= 0) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "QuantizeLinear/DequantizeLinear: block size is not positive");
  if (p.dequantize) {
    switch (p.x_dtype) {
      case MIRT_DTYPE_INT8: return dequantize_to<int8_t>(p, n, stream);
      case MIRT_DTYPE_UINT8: return dequantize_to<uint8_t>(p, n, stream);
      case MIRT_DTYPE_INT32: return dequantize_to<int32_t>(p, n, stream);
      default: return make_error(MIRT_STATUS_UNSUPPORTED, "DequantizeLinear: input dtype is not int8, uint8 or int32");
    }
  }
  switch (p.x_dtype) {
    case MIRT_DTYPE_FLOAT32: return quantize_to<float>(p, n, stream);
    case MIRT_DTYPE_FLOAT16: return quantize_to<__half>(p, n, stream);
    case MIRT_DTYPE_BFLOAT16: return quantize_to<__nv_bfloat16>(p, n, stream);
    case MIRT_DTYPE_INT32: return quantize_to<int32_t>(p, n, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "QuantizeLinear: input dtype is not float32, float16, bfloat16 or int32");
  }
}

status launch_dynamic_quantize(const dynamic_quantize_params& p, cudaStream_t stream) {
  if (!p.x || !p.y || !p.scale || !p.zero_point) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "DynamicQuantizeLinear: NULL buffer");
  dynamic_range<<<1, k_range_threads, 0, stream>>>(p);
  if (status s = check_launch("dynamic_range"); !s.ok()) return s;
  if (p.n == 0) return {};
  dynamic_elements<<<grid_for(p.n), k_block, 0, stream>>>(p);
  return check_launch("dynamic_elements");
}

}  // namespace mirt::cuda
