// backends/cuda/kernels/normalization.hpp — Softmax/LogSoftmax, LayerNormalization and
// BatchNormalization (inference).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// y = softmax(x) along the middle dim of (outer, n, inner); log gives LogSoftmax.
struct softmax_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y: float32, float16 or bfloat16 (computed in float32)
  const void* x = nullptr;
  void* y = nullptr;
  int64_t outer = 0, n = 0, inner = 1;
  bool log = false;
};
status launch_softmax(const softmax_params& p, cudaStream_t stream);

// Each of `rows` rows of `cols` values normalized to zero mean and unit variance, then
// y = v * scale[i % scale_n] + bias[i % bias_n] (scale/bias NULL when absent).
// float16/bfloat16 (x, y, scale, bias in that dtype, statistics in float32, no mean/inv_std
// outputs) take only rows of at most 1024 values, a multiple of 4, with scale/bias of one row.
struct layer_norm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;  // (rows, cols)
  const void* skip = nullptr;  // (rows, cols) added to x first (SkipLayerNormalization), or NULL; register kernel only
  void* y = nullptr;        // (rows, cols), or NULL where only y_float is wanted
  // (rows, cols) the output in float32 from float16/bfloat16 inputs (a Cast the builder folded into
  // SkipLayerNormalization), besides or instead of y; NULL: none. Register kernel only.
  float* y_float = nullptr;
  const void* scale = nullptr;
  const void* bias = nullptr;
  int64_t scale_n = 0, bias_n = 0;
  float* mean = nullptr;     // (rows) or NULL
  float* inv_std = nullptr;  // (rows) or NULL
  int64_t rows = 0, cols = 0;
  float epsilon = 1e-5f;
};
status launch_layer_norm(const layer_norm_params& p, cudaStream_t stream);

// y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c] on (n, c, inner).
struct batch_norm_params {
  const float* x = nullptr;
  float* y = nullptr;
  const float *scale = nullptr, *bias = nullptr, *mean = nullptr, *var = nullptr;  // (c)
  int64_t n = 0, c = 0, inner = 1;
  float epsilon = 1e-5f;
};
status launch_batch_norm(const batch_norm_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
