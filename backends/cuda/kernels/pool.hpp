// backends/cuda/kernels/pool.hpp — MaxPool/AveragePool/LpPool (1D-3D as 3D) and global pools.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

struct pool_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y: float32, float16 or bfloat16
  const void* x = nullptr;  // (planes, in[0], in[1], in[2])
  void* y = nullptr;        // (planes, out[0], out[1], out[2])
  int64_t* indices = nullptr;  // MaxPool's Indices (same shape as y) or NULL
  int64_t planes = 0;
  // Per spatial axis (1D and 2D pools lead with unit axes).
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1};
  int64_t pad_begin[3] = {}, pad_end[3] = {};
  bool is_max = true;
  bool count_include_pad = false;
  int64_t lp = 0;  // > 0 (with is_max false): LpPool, (sum of |x|^lp over the valid taps)^(1/lp) in double
  bool column_major_indices = false;  // storage_order 1
  // x and y hold channels-last data (n, h, w, c) with planes = n * channels: 2-D MaxPool only,
  // without dilations or Indices (mirt::MaxPool with layout NHWC).
  bool channels_last = false;
  int64_t channels = 0;
};
status launch_pool(const pool_params& p, cudaStream_t stream);

// y[p] = mean (or max) of x[p, :] for each of planes planes of size values.
struct global_pool_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // x and y: float32, float16 or bfloat16 (sums in float)
  const void* x = nullptr;
  void* y = nullptr;
  int64_t planes = 0, size = 0;
  bool is_max = false;
};
status launch_global_pool(const global_pool_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
