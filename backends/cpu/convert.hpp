// backends/cpu/convert.hpp — element conversions between every dtype, as ONNX Cast defines them.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

// Storage types for the dtypes C++ has no arithmetic type for.
struct half_t { uint16_t bits; };
struct bfloat16_t { uint16_t bits; };
struct bool_t { uint8_t value; };

inline uint32_t float_bits(float f) { uint32_t x; std::memcpy(&x, &f, 4); return x; }
inline float bits_float(uint32_t x) { float f; std::memcpy(&f, &x, 4); return f; }

// IEEE binary16 from binary32, rounding to nearest even (subnormals and overflow to inf included).
inline uint16_t float_to_half(float f) {
  const uint32_t x = float_bits(f);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000);
  const uint32_t mant = x & 0x7fffff;
  const int exp = int((x >> 23) & 0xff);
  if (exp == 0xff) return uint16_t(sign | 0x7c00 | (mant ? 0x200 | (mant >> 13) : 0));
  const int e = exp - 127 + 15;
  if (e >= 0x1f) return uint16_t(sign | 0x7c00);
  if (e <= 0) {
    if (e < -10) return sign;  // below half the smallest subnormal
    const uint32_t full = mant | 0x800000;
    const int shift = 14 - e;
    uint32_t m = full >> shift;
    const uint32_t rem = full & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (m & 1))) ++m;
    return uint16_t(sign | m);
  }
  uint32_t m = mant >> 13;
  const uint32_t rem = mant & 0x1fff;
  uint32_t h = (uint32_t(e) << 10) | m;
  if (rem > 0x1000 || (rem == 0x1000 && (m & 1))) ++h;  // a carry rolls into the exponent, up to inf
  return uint16_t(sign | h);
}

inline float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0) {
    const float v = std::ldexp(float(m), -24);
    return sign ? -v : v;
  }
  if (e == 31) return bits_float(sign | 0x7f800000 | (m << 13));
  return bits_float(sign | ((e + 112) << 23) | (m << 13));
}

inline uint16_t float_to_bfloat16(float f) {
  const uint32_t x = float_bits(f);
  if (std::isnan(f)) return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}
inline float bfloat16_to_float(uint16_t b) { return bits_float(uint32_t(b) << 16); }

// Widens a storage type to a type C++ computes with.
template <class T>
auto widen(T v) {
  if constexpr (std::is_same_v<T, half_t>) return half_to_float(v.bits);
  else if constexpr (std::is_same_v<T, bfloat16_t>) return bfloat16_to_float(v.bits);
  else if constexpr (std::is_same_v<T, bool_t>) return uint8_t(v.value != 0);
  else return v;
}

// Converts one value. Floating to integer truncates toward zero and saturates (NaN gives 0), so
// out-of-range values, which ONNX leaves undefined, stay defined here.
template <class To, class From>
To convert(From from) {
  const auto v = widen(from);
  using V = decltype(v);
  if constexpr (std::is_same_v<To, half_t>) return half_t{float_to_half(float(v))};
  else if constexpr (std::is_same_v<To, bfloat16_t>) return bfloat16_t{float_to_bfloat16(float(v))};
  else if constexpr (std::is_same_v<To, bool_t>) return bool_t{uint8_t(v != V(0))};
  else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<V>) {
    if (std::isnan(v)) return To(0);
    if (v <= V(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (v >= V(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return To(v);
  } else {
    return To(v);
  }
}

// Calls f(type_tag<T>{}) with T the storage type of any dtype mirt knows.
template <class F>
decltype(auto) dispatch_any(mirt_dtype dtype, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return f(type_tag<float>{});
    case MIRT_DTYPE_FLOAT64: return f(type_tag<double>{});
    case MIRT_DTYPE_FLOAT16: return f(type_tag<half_t>{});
    case MIRT_DTYPE_BFLOAT16: return f(type_tag<bfloat16_t>{});
    case MIRT_DTYPE_INT8: return f(type_tag<int8_t>{});
    case MIRT_DTYPE_UINT8: return f(type_tag<uint8_t>{});
    case MIRT_DTYPE_INT32: return f(type_tag<int32_t>{});
    case MIRT_DTYPE_INT64: return f(type_tag<int64_t>{});
    case MIRT_DTYPE_BOOL: return f(type_tag<bool_t>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "dtype ", dtype_name(dtype), " is not supported");
  }
}

}  // namespace mirt::cpu
