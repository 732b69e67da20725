// backends/cuda/kernels/signal.hpp — DFT and STFT around cuFFT: packing each signal line into a
// contiguous complex buffer (the transform's input), and writing the transformed bins back.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// Where the lines of a tensor lie, in elements: line l = o * inner + i starts at
// o * outer_stride + i * inner_stride, and its entry j (the real part; the imaginary part follows
// when the tensor has 2 parts) is `step` further per j.
struct line_layout {
  int64_t inner = 1, outer_stride = 0, inner_stride = 0, step = 1;
};

// Fills work, [lines, n] complex values (float2, or double2 when dtype is float64): entry j of
// line l is x's entry j of that line (zero from `avail` on), times window[j] when there is a
// window. With `mirror`, x holds a onesided spectrum and the line is the full one rebuilt by
// conjugate symmetry: entry j > n / 2 is the conjugate of entry n - j.
struct signal_gather_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and window: float32, float64, float16, bfloat16
  const void* x = nullptr;
  const void* window = nullptr;  // n values, or nullptr
  line_layout layout;
  int64_t parts = 1;  // 1: real samples, 2: complex
  int64_t avail = 0;  // entries a line of x has
  bool mirror = false;
  void* work = nullptr;
  int64_t lines = 0, n = 0;
};
status launch_signal_gather(const signal_gather_params& p, cudaStream_t stream);

// Writes entries [0, bins) of each work line, times scale, into y at `layout` (parts 1: the real
// part only). The values are rounded once, from float32 (float64 for a float64 y) to y's dtype.
struct signal_scatter_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // y's, as for the gather
  const void* work = nullptr;
  void* y = nullptr;
  line_layout layout;
  int64_t parts = 2;
  int64_t lines = 0, n = 0, bins = 0;
  double scale = 1;
};
status launch_signal_scatter(const signal_scatter_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
