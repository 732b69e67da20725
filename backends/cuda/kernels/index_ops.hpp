// backends/cuda/kernels/index_ops.hpp — Trilu, OneHot, GatherND, ScatterND and ScatterElements:
// kernels that move elements by computed positions (by element size, except the reductions).
// An index out of range cannot be reported from the device: GatherND reads zeros there, the
// scatters skip that update.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// y = x on the upper (j - i >= k) or lower (j - i <= k) triangle of each (rows, cols) matrix, zero elsewhere.
struct trilu_params {
  const void* x = nullptr;
  void* y = nullptr;  // may equal x
  size_t element_size = 4;
  int64_t mats = 0, rows = 0, cols = 0, k = 0;
  bool upper = true;
};
status launch_trilu(const trilu_params& p, cudaStream_t stream);

// out (outer, depth, inner) = values[1] where j equals indices[outer, inner] (negative counts from
// depth, float truncates), else values[0]; values: 2 elements on the device.
struct one_hot_params {
  const void* indices = nullptr;
  mirt_dtype index_dtype = MIRT_DTYPE_INT64;  // int32, int64 or float32
  const void* values = nullptr;
  void* out = nullptr;
  size_t element_size = 4;
  int64_t outer = 0, depth = 0, inner = 0;
};
status launch_one_hot(const one_hot_params& p, cudaStream_t stream);

// out[t, s] = data[b, idx[t, 0..k), s] with b = t / tuples_per_batch: slices of `slice` elements.
struct gather_nd_params {
  const void* data = nullptr;
  const void* indices = nullptr;  // (batches * tuples_per_batch, k) int32 or int64
  bool indices_int64 = true;
  void* out = nullptr;
  size_t element_size = 4;
  int64_t batches = 0, tuples_per_batch = 0, k = 0, slice = 0, data_batch = 0;
  int64_t extent[k_max_rank] = {}, stride[k_max_rank] = {};  // of the k indexed data dims
  unsigned long long* first_bad = nullptr;  // (checks on) gets the smallest position of an out-of-range index
};
status launch_gather_nd(const gather_nd_params& p, cudaStream_t stream);

enum class scatter_reduction : int32_t { none, add, mul, max, min };

// out = data, then out[idx[t, 0..k), s] (op)= updates[t, s] for every tuple t and s < slice.
// Reductions: int32/int64 (any), float32 (max, min); none: any element size.
struct scatter_nd_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  size_t element_size = 4;
  const void* data = nullptr;
  void* out = nullptr;  // may equal data
  int64_t data_n = 0;
  const void* indices = nullptr;  // (tuples, k)
  bool indices_int64 = true;
  const void* updates = nullptr;  // (tuples, slice)
  int64_t tuples = 0, k = 0, slice = 0;
  int64_t extent[k_max_rank] = {}, stride[k_max_rank] = {};  // of the k indexed data dims
  scatter_reduction reduction = scatter_reduction::none;
  unsigned long long* first_bad = nullptr;  // (checks on) gets the smallest position of an out-of-range index
};
status launch_scatter_nd(const scatter_nd_params& p, cudaStream_t stream);

// out = data, then out[position of update i with its axis coordinate replaced by indices[i]]
// (op)= updates[i]; indices and updates share `shape`.
struct scatter_elements_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  size_t element_size = 4;
  const void* data = nullptr;
  void* out = nullptr;  // may equal data
  int64_t data_n = 0;
  const void* indices = nullptr;
  bool indices_int64 = true;
  const void* updates = nullptr;
  int rank = 0, axis = 0;
  int64_t n = 0;  // elements of updates
  int64_t shape[k_max_rank] = {}, data_strides[k_max_rank] = {};
  int64_t extent = 0;  // data's extent on axis
  scatter_reduction reduction = scatter_reduction::none;
  unsigned long long* first_bad = nullptr;  // (checks on) gets the smallest position of an out-of-range index
};
status launch_scatter_elements(const scatter_elements_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
