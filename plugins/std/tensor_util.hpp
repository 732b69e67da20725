// plugins/std/tensor_util.hpp — small helpers the standard plugins share (public headers only).
#pragma once

#include <cstdint>

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

// Whether every given input (UNDEFINED: an absent optional one) and the first output are float32.
inline bool float32_only(const mirt_dtype* in, size_t num_in, const mirt_dtype* out) {
  for (size_t i = 0; i < num_in; ++i)
    if (in[i] != MIRT_DTYPE_FLOAT32 && in[i] != MIRT_DTYPE_UNDEFINED) return false;
  return out[0] == MIRT_DTYPE_FLOAT32;
}

// Only the CPU backend has kernels in this library so far.
inline std::vector<std::string> cpu_only(std::string_view backend, const char* tactic) {
  return backend == "cpu" ? std::vector<std::string>{tactic} : std::vector<std::string>{};
}

}  // namespace mirt_std_plugins
