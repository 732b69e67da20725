// backends/cuda/kernels/cast.cu — Cast between float32, float64, float16, bfloat16, int8, uint8,
// int32, int64 and bool.
//
// Kernels:
//   cast_elements<From, To>  one element per thread, grid-stride.
// Reference: backends/cpu/convert.hpp: float to integer truncates toward zero and saturates (NaN
// gives 0); to bool is (x != 0); float16/bfloat16 round to nearest even.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/cuda/kernels/data_movement.hpp"

namespace mirt::cuda {
namespace {

struct bool_t {
  uint8_t v;
};

template <class T>
__device__ double widen(T x) {
  if constexpr (std::is_same_v<T, __half>) return double(__half2float(x));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return double(__bfloat162float(x));
  else if constexpr (std::is_same_v<T, bool_t>) return x.v != 0 ? 1.0 : 0.0;
  else return double(x);
}

template <class To, class From>
__device__ To convert(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<To, bool_t>) {
    return bool_t{uint8_t(widen(x) != 0.0)};
  } else if constexpr (std::is_integral_v<To> && std::is_integral_v<From>) {
    return To(x);  // integer to integer wraps, as C++ and numpy do
  } else if constexpr (std::is_integral_v<To>) {
    const double v = widen(x);
    if (isnan(v)) return To(0);
    if (v <= double(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (v >= double(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return To(v);
  } else if constexpr (std::is_same_v<To, __half>) {
    if constexpr (std::is_same_v<From, float>) return __float2half_rn(x);
    else return __double2half(widen(x));
  } else if constexpr (std::is_same_v<To, __nv_bfloat16>) {
    if constexpr (std::is_same_v<From, float>) return __float2bfloat16_rn(x);
    else return __double2bfloat16(widen(x));
  } else if constexpr (std::is_same_v<From, float> || std::is_same_v<From, double> || std::is_integral_v<From>) {
    return To(x);
  } else {
    return To(widen(x));
  }
}

// in, out: (n)
template <class From, class To>
__global__ void cast_elements(const From* in, To* out, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = convert<To>(in[i]);
}

template <class T>
struct tag {
  using type = T;
};

// Calls f(tag<T>{}) for the device type of dtype; returns false for an unknown dtype.
template <class F>
status dispatch(mirt_dtype dt, F&& f) {
  switch (dt) {
    case MIRT_DTYPE_FLOAT32: return f(tag<float>{});
    case MIRT_DTYPE_FLOAT64: return f(tag<double>{});
    case MIRT_DTYPE_FLOAT16: return f(tag<__half>{});
    case MIRT_DTYPE_BFLOAT16: return f(tag<__nv_bfloat16>{});
    case MIRT_DTYPE_INT8: return f(tag<int8_t>{});
    case MIRT_DTYPE_UINT8: return f(tag<uint8_t>{});
    case MIRT_DTYPE_INT32: return f(tag<int32_t>{});
    case MIRT_DTYPE_INT64: return f(tag<int64_t>{});
    case MIRT_DTYPE_BOOL: return f(tag<bool_t>{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "cast: unsupported dtype");
  }
}

}  // namespace

status launch_cast(const cast_params& p, cudaStream_t stream) {
  if (p.n <= 0) return {};
  if (!p.in || !p.out) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "cast: NULL buffer");
  return dispatch(p.from, [&](auto from) {
    return dispatch(p.to, [&](auto to) {
      using From = typename decltype(from)::type;
      using To = typename decltype(to)::type;
      cast_elements<From, To><<<grid_for(p.n), k_block, 0, stream>>>(static_cast<const From*>(p.in), static_cast<To*>(p.out), p.n);
      return check_launch("cast_elements");
    });
  });
}

}  // namespace mirt::cuda
