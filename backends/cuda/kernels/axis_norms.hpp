// backends/cuda/kernels/axis_norms.hpp — normalizations and selections along axes: Hardmax,
// LpNormalization, LRN and MeanVarianceNormalization. Every launcher takes x and y (distinct, dense,
// one float dtype: float32, float64, float16, bfloat16); float64 computes in double, the others in
// float with statistics in double, as the cpu backend (backends/cpu/ops/channel_norms.cpp, hardmax.cpp).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x seen as [outer, n, inner]. Hardmax: 1 at the first maximum along n (NaN never one), else 0.
// LpNormalization: x / ||x||_p along n, p 1 or 2 (0 where the norm is 0).
enum class axis_norm_kind { hardmax, lp };
struct axis_norm_params {
  axis_norm_kind kind = axis_norm_kind::hardmax;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  int64_t outer = 0, n = 0, inner = 0;
  int p = 2;
};
status launch_axis_norm(const axis_norm_params& p, cudaStream_t stream);

// LRN across channels of x [batch, channels, spatial]: y = x / (bias + alpha / size * sum of x^2
// over channels [c - (size - 1) / 2, c + size / 2])^beta.
struct lrn_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  int64_t batch = 0, channels = 0, spatial = 0, size = 1;
  float alpha = 1e-4f, beta = 0.75f, bias = 1.f;
};
status launch_lrn(const lrn_params& p, cudaStream_t stream);

// MeanVarianceNormalization: each group (the elements sharing their coordinates over the kept
// axes) becomes (x - mean) / (sqrt(variance) + 1e-9). kept walks the groups (its shape and x's
// strides over the kept axes), reduced the elements of one group (over the reduced axes).
struct mvn_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  int64_t groups = 0, count = 0;  // groups, and elements per group
  strided_map<1> kept, reduced;
};
status launch_mvn(const mvn_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
