// backends/cuda/kernels/quantize.hpp — QuantizeLinear, DequantizeLinear (per-tensor, per-axis and
// blocked) and DynamicQuantizeLinear.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x seen as [outer, extent, inner] around the quantization axis; the scale and zero point of
// element (o, d, i) are at o * so + (d / block) * sd + i * si (all 0: per-tensor). Quantize:
// y = saturate(round_half_even(float(x) / scale) + zero_point), x float32, float16, bfloat16 or
// int32, y int8 or uint8. Dequantize: y = float(double(x) - zero_point) * scale, x int8, uint8 or
// int32, y float32, float16 or bfloat16. Scales are float32, float16, bfloat16 (or int32 for
// Quantize); zero points (absent: 0) int8, uint8 or int32; both read as float, as the cpu backend.
struct quantize_params {
  bool dequantize = false;
  mirt_dtype x_dtype = MIRT_DTYPE_FLOAT32, y_dtype = MIRT_DTYPE_INT8, scale_dtype = MIRT_DTYPE_FLOAT32,
             zero_dtype = MIRT_DTYPE_UNDEFINED;
  const void* x = nullptr;
  void* y = nullptr;
  const void* scale = nullptr;
  const void* zero = nullptr;  // NULL: 0
  int64_t outer = 1, extent = 1, inner = 1, block = 1;
  int64_t so = 0, sd = 0, si = 0;
};
status launch_quantize(const quantize_params& p, cudaStream_t stream);

// DynamicQuantizeLinear on float32 x (n): scale = (max(0, max x) - min(0, min x)) / 255 (1 when
// that range is 0), zero_point = saturate(round(-min / scale)), y = saturate(round(x / scale) +
// zero_point), all uint8. NaN is skipped by min and max; an infinite x gives a non-finite scale
// (the device cannot report it; the cpu backend fails).
struct dynamic_quantize_params {
  const float* x = nullptr;
  uint8_t* y = nullptr;
  float* scale = nullptr;       // (1)
  uint8_t* zero_point = nullptr;  // (1)
  int64_t n = 0;
};
status launch_dynamic_quantize(const dynamic_quantize_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
