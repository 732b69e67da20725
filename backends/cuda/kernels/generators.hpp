// backends/cuda/kernels/generators.hpp — outputs computed from their index alone: EyeLike and the
// window functions (HannWindow, HammingWindow, BlackmanWindow).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class generator_kind { eye, hann, hamming, blackman };

// eye: y (rows, cols) is 1 where col - row == k, else 0. Windows: y (n) from cosines of period
// `period` (n for periodic, n - 1 for symmetric; none when period <= 0), computed in double.
// y's dtype is any of float32, float64, float16, bfloat16, int8, uint8, int32, int64, bool;
// values convert as the cpu backend's Cast (through float for the 16-bit floats, integers truncate).
struct generator_params {
  generator_kind kind = generator_kind::eye;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  void* y = nullptr;
  int64_t rows = 0, cols = 0, k = 0;  // eye
  int64_t n = 0;                      // elements of y
  double period = 0;                  // windows
};
status launch_generator(const generator_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
