// backends/cuda/kernels/indexing.hpp — kernels that map output positions to input positions or
// select along an axis: Pad (and Tile, its wrap mode), fills (ConstantOfShape, Range),
// GatherElements, ArgMax/ArgMin and TopK.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class pad_mode : int32_t { constant, reflect, edge, wrap };

// out[o] = in[source(o)], by element size. Per dim: the input coordinate of output coordinate c is
// c - begin[d], mapped into [0, in_shape[d]) by the mode (constant: outside reads *fill, or zeros
// when fill is NULL). Tile is wrap with begin 0.
struct pad_params {
  const void* in = nullptr;
  void* out = nullptr;
  const void* fill = nullptr;  // one element of the dtype on the device, or NULL
  size_t element_size = 4;
  pad_mode mode = pad_mode::constant;
  int rank = 0;
  int64_t n = 0;  // elements of out
  int64_t out_shape[k_max_rank] = {}, in_shape[k_max_rank] = {}, in_strides[k_max_rank] = {}, begin[k_max_rank] = {};
};
status launch_pad(const pad_params& p, cudaStream_t stream);

// out[i] = the element_size bytes of pattern, for i < n.
struct fill_params {
  void* out = nullptr;
  size_t element_size = 4;
  uint64_t pattern = 0;  // little-endian bytes of one element
  int64_t n = 0;
};
status launch_fill(const fill_params& p, cudaStream_t stream);

// out[i] = start + i * delta for i < n; start and delta are device scalars of dtype.
struct range_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // float32, float64, int32 or int64
  const void* start = nullptr;
  const void* delta = nullptr;
  void* out = nullptr;
  int64_t n = 0;
};
status launch_range(const range_params& p, cudaStream_t stream);

// out[i] = data[i with its axis coordinate replaced by indices[i]] (negative indices count from the
// end; out-of-range gives zeros: the device cannot report it). out and indices share a shape.
struct gather_elements_params {
  const void* data = nullptr;
  const void* indices = nullptr;
  bool indices_int64 = true;
  void* out = nullptr;
  size_t element_size = 4;
  int rank = 0, axis = 0;
  int64_t n = 0;                       // elements of out
  int64_t shape[k_max_rank] = {};      // of indices and out
  int64_t data_strides[k_max_rank] = {};
  int64_t extent = 0;                  // data's extent on axis
  unsigned long long* first_bad = nullptr;  // (checks on) gets the smallest position of an out-of-range index
};
status launch_gather_elements(const gather_elements_params& p, cudaStream_t stream);

// x viewed as (outer, n, inner): out[o, i] = the index (int64) of the max (or min) of x[o, :, i];
// ties give the first index, or the last with select_last.
struct arg_reduce_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // float32, float16, bfloat16, float64, int32, int64
  const void* x = nullptr;
  int64_t* out = nullptr;
  int64_t outer = 0, n = 0, inner = 0;
  bool max = true, select_last = false;
};
status launch_arg_reduce(const arg_reduce_params& p, cudaStream_t stream);

// x viewed as (outer, n, inner): values[o, j, i] and indices[o, j, i] (int64, may be NULL) are the
// j-th largest (or smallest) of x[o, :, i] for j < k; equal values keep the lower index first.
struct topk_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // as arg_reduce
  const void* x = nullptr;
  void* values = nullptr;
  int64_t* indices = nullptr;
  int64_t outer = 0, n = 0, inner = 0, k = 0;
  bool largest = true;
};
status launch_topk(const topk_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
