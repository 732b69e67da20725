// backends/cuda/kernels/decode_state.cu — CausalConvWithState (one thread per output position and
// per state position) and TensorScatter (one thread per update element).
// Reference: backends/cpu/ops/decode_state.cpp.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "backends/cuda/kernels/decode_state.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

// [past | x] at position i of channel row bc.
template <class T>
__device__ inline compute_t<T> padded_at(const causal_conv_params& p, int64_t bc, int64_t i) {
  using C = compute_t<T>;
  if (i < p.k - 1) return p.past ? C(static_cast<const T*>(p.past)[bc * (p.k - 1) + i]) : C(0);
  return C(static_cast<const T*>(p.x)[bc * p.length + i - (p.k - 1)]);
}

template <class T>
__global__ void causal_conv(causal_conv_params p) {
  using C = compute_t<T>;
  const T *w = static_cast<const T*>(p.w), *bias = static_cast<const T*>(p.bias);
  T* y = static_cast<T*>(p.y);
  const int64_t outputs = p.batch * p.channels * p.length, states = p.state ? p.batch * p.channels * (p.k - 1) : 0;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < outputs + states; e += int64_t(gridDim.x) * blockDim.x) {
    if (e >= outputs) {
      const int64_t s = e - outputs, bc = s / (p.k - 1), t = s % (p.k - 1);
      static_cast<T*>(p.state)[s] = T(padded_at<T>(p, bc, p.length + t));
      continue;
    }
    const int64_t bc = e / p.length, t = e % p.length, c = bc % p.channels;
    C s = bias ? C(bias[c]) : C(0);
    for (int64_t j = 0; j < p.k; ++j) s += C(w[c * p.k + j]) * padded_at<T>(p, bc, t + j);
    T v = T(s);  // rounded to T before the activation, as ONNX's reference does
    if (p.silu) {
      const C r = C(v);
      v = T(C(r / (1 + exp(-r))));
    }
    y[e] = v;
  }
}

template <class U, class I>
__global__ void scatter_rows(tensor_scatter_params p, const I* where) {
  const U* u = static_cast<const U*>(p.update);
  U* y = static_cast<U*>(p.y);
  const int64_t n = p.prefixes * p.len * p.inner;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e % p.inner, s = (e / p.inner) % p.len, prefix = e / (p.inner * p.len);
    const int64_t start = where ? int64_t(where[prefix / p.per_batch]) : 0;
    if (start < 0 || (!p.circular && start + s >= p.max_len)) continue;
    const int64_t at = p.circular ? (start + s) % p.max_len : start + s;
    y[(prefix * p.max_len + at) * p.inner + i] = u[e];
  }
}

template <class U>
status run_scatter(const tensor_scatter_params& p, cudaStream_t stream) {
  const int64_t n = p.prefixes * p.len * p.inner;
  if (p.where_int64) scatter_rows<U, int64_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.where));
  else scatter_rows<U, int32_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.where));
  return check_launch("scatter_rows");
}

template <class F>
status dispatch_float(mirt_dtype dtype, const char* what, F&& f) {
  if (dtype == MIRT_DTYPE_FLOAT64) return f(type_tag<double>{});
  return dispatch_real(dtype, what, f);
}

}  // namespace

status launch_causal_conv(const causal_conv_params& p, cudaStream_t stream) {
  const int64_t total = p.batch * p.channels * (p.length + (p.state ? p.k - 1 : 0));
  if (total == 0) return {};
  if (!p.x || !p.w || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "CausalConvWithState: NULL buffer");
  if (p.k < 1) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "CausalConvWithState: kernel size below 1");
  return dispatch_float(p.dtype, "CausalConvWithState", [&](auto tag) {
    causal_conv<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("causal_conv");
  });
}

status launch_tensor_scatter(const tensor_scatter_params& p, cudaStream_t stream) {
  if (p.prefixes * p.len * p.inner == 0) return {};
  if (!p.update || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "TensorScatter: NULL buffer");
  if (p.max_len <= 0 || p.per_batch <= 0) return make_error(MIRT_STATUS_INVALID_SHAPE, "TensorScatter: empty cache axis");
  switch (p.element_size) {
    case 1: return run_scatter<uint8_t>(p, stream);
    case 2: return run_scatter<uint16_t>(p, stream);
    case 4: return run_scatter<uint32_t>(p, stream);
    case 8: return run_scatter<uint64_t>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "TensorScatter: element size not 1, 2, 4 or 8");
  }
}

}  // namespace mirt::cuda
