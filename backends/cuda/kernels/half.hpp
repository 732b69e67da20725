// backends/cuda/kernels/half.hpp — what the kernels templated over float16 and bfloat16 share:
// the type they compute in (float for both halves, so sums and functions keep float's range and
// accuracy between loads and stores), 16-byte packs for vector loads, and dtype dispatch.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <type_traits>

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

template <class T>
struct compute_of {
  using type = T;
};
template <>
struct compute_of<__half> {
  using type = float;
};
template <>
struct compute_of<__nv_bfloat16> {
  using type = float;
};
template <class T>
using compute_t = typename compute_of<T>::type;

template <class T>
constexpr bool is_half_v = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;
template <class T>
constexpr bool is_real_v = std::is_same_v<T, float> || is_half_v<T>;

// T's value in the compute type C (float or double), and back; the halves go through float.
template <class C, class T>
__device__ inline C widen_to(T v) {
  if constexpr (is_half_v<T>) return C(float(v));
  else return C(v);
}
template <class T, class C>
__device__ inline T narrow_to(C v) {
  if constexpr (is_half_v<T>) return T(float(v));
  else return T(v);
}

// 16 bytes of T: 4 floats or 8 halves per load and store.
template <class T>
struct alignas(16) pack16 {
  T v[16 / sizeof(T)];
};

template <class T>
struct type_tag {
  using type = T;
};

// Calls f(type_tag<T>{}) for float32, float16 or bfloat16; UNSUPPORTED for any other dtype.
template <class F>
status dispatch_real(mirt_dtype dtype, const char* what, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return f(type_tag<float>{});
    case MIRT_DTYPE_FLOAT16: return f(type_tag<__half>{});
    case MIRT_DTYPE_BFLOAT16: return f(type_tag<__nv_bfloat16>{});
    default: return make_error(MIRT_STATUS_UNSUPPORTED, std::string(what) + ": dtype is not float32, float16 or bfloat16");
  }
}

}  // namespace mirt::cuda
