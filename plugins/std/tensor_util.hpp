// plugins/std/tensor_util.hpp — small helpers the standard plugins share (public headers only).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mirt/plugin.hpp"

namespace mirt_std_plugins {

namespace mp = mirt::plugin;

inline size_t element_count(const mirt_tensor_desc& d) {
  size_t n = 1;
  for (uint32_t i = 0; i < d.rank; ++i) n *= static_cast<size_t>(d.dims[i] < 0 ? 0 : d.dims[i]);
  return n;
}

inline bool present(const mirt_tensor_desc* inputs, size_t num_inputs, size_t i) {
  return i < num_inputs && inputs[i].dtype != MIRT_DTYPE_UNDEFINED;
}

// Whether every given input (UNDEFINED: an absent optional one) and the first output are all float32
// or all float16.
inline bool one_float_dtype(const mirt_dtype* in, size_t num_in, const mirt_dtype* out) {
  if (out[0] != MIRT_DTYPE_FLOAT32 && out[0] != MIRT_DTYPE_FLOAT16) return false;
  for (size_t i = 0; i < num_in; ++i)
    if (in[i] != out[0] && in[i] != MIRT_DTYPE_UNDEFINED) return false;
  return true;
}

// Whether the library was built with its CUDA kernels (meson found nvcc).
#ifdef MIRT_STD_PLUGINS_CUDA
inline constexpr bool with_cuda = true;
#else
inline constexpr bool with_cuda = false;
#endif

// The one tactic of a plugin on backend: "<name>" on cpu, "<name>_cuda" on cuda where built.
inline std::vector<std::string> tactics_on(std::string_view backend, const char* name) {
  if (backend == "cpu") return {name};
  if (backend == "cuda" && with_cuda) return {std::string(name) + "_cuda"};
  return {};
}

// Throws the text of a failed CUDA launch, naming the plugin.
inline void check_launch(const char* error, const char* plugin) {
  if (error) throw mp::error(std::string(plugin) + ": CUDA kernel launch failed: " + error, MIRT_STATUS_INTERNAL);
}

}  // namespace mirt_std_plugins

namespace mirt_std_plugins {

// IEEE binary16 to float and back (round to nearest even), for the CPU kernels' float16 storage.
inline float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1Fu) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else {  // zero or subnormal: mantissa * 2^-24
    float f = float(mantissa) * 5.9604644775390625e-8f;
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

inline uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u, abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) return uint16_t(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));
  if (abs >= 0x477FF000u) return uint16_t(sign | 0x7C00u);  // rounds past 65504
  if (abs < 0x38800000u) {                                   // a subnormal half
    if (abs < 0x33000000u) return uint16_t(sign);
    const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
    const int shift = 126 - int(abs >> 23);
    const uint32_t half_ulp = 1u << (shift - 1), rest = mantissa & ((1u << shift) - 1);
    uint32_t h = mantissa >> shift;
    if (rest > half_ulp || (rest == half_ulp && (h & 1u))) ++h;
    return uint16_t(sign | h);
  }
  uint32_t h = (abs - 0x38000000u) >> 13;
  const uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

// Element i of a float32 or float16 buffer, as float; and the store back.
inline float load_float(const void* p, bool float16, size_t i) {
  return float16 ? half_to_float(static_cast<const uint16_t*>(p)[i]) : static_cast<const float*>(p)[i];
}
inline void store_float(void* p, bool float16, size_t i, float v) {
  if (float16)
    static_cast<uint16_t*>(p)[i] = float_to_half(v);
  else
    static_cast<float*>(p)[i] = v;
}

}  // namespace mirt_std_plugins
