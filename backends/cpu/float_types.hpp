// backends/cpu/float_types.hpp — dtype dispatch over the float types for kernels that compute
// float16/bfloat16 in float32 (and float64 in float64).
#pragma once

#include <string>
#include <type_traits>

#include "backends/cpu/convert.hpp"

namespace mirt::cpu {

// Calls f(type_tag<T>{}) with T the storage type of a float dtype.
template <class F>
decltype(auto) dispatch_float(mirt_dtype dtype, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return f(type_tag<float>{});
    case MIRT_DTYPE_FLOAT64: return f(type_tag<double>{});
    case MIRT_DTYPE_FLOAT16: return f(type_tag<half_t>{});
    case MIRT_DTYPE_BFLOAT16: return f(type_tag<bfloat16_t>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "dtype ", dtype_name(dtype), " is not a float type");
  }
}

// The type a float storage type computes in: double for float64, float otherwise.
template <class T>
using compute_type = std::conditional_t<std::is_same_v<T, double>, double, float>;

// Loads a storage value as its compute type, and stores one back (rounding to nearest even).
template <class T>
compute_type<T> load(T v) { return compute_type<T>(widen(v)); }
template <class T>
T store(compute_type<T> v) { return convert<T>(v); }

// For supports functions: input i has a float dtype; otherwise `why` says what it has.
inline bool float_input_at(const node_view& node, size_t i, std::string& why) {
  return input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

}  // namespace mirt::cpu
