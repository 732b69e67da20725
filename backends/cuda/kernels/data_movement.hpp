// backends/cuda/kernels/data_movement.hpp — strided copies (Transpose, Slice, Expand, Concat),
// Gather, Cast and small integer fills (Shape).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// dst[map offset 0] = src[map offset 1] for every index of map.shape, by element size.
struct strided_copy_params {
  const void* src = nullptr;
  void* dst = nullptr;
  size_t element_size = 4;
  int64_t n = 0;        // elements of map.shape
  strided_map<2> map;   // operands: dst, src
};
status launch_strided_copy(const strided_copy_params& p, cudaStream_t stream);

// out[b][c][r] = in[b][r][c] for b < batch, r < rows, c < cols (a tiled transpose per plane).
struct batched_transpose_params {
  const void* in = nullptr;
  void* out = nullptr;
  size_t element_size = 4;
  int64_t batch = 0, rows = 0, cols = 0;
};
status launch_batched_transpose(const batched_transpose_params& p, cudaStream_t stream);

// out[p][k] = k < channels ? in[p][k] : 0 for p < pixels, k < padded (channels-last data).
struct pad_channels_params {
  const void* in = nullptr;
  void* out = nullptr;
  size_t element_size = 2;
  int64_t pixels = 0, channels = 0, padded = 0;
};
status launch_pad_channels(const pad_channels_params& p, cudaStream_t stream);

// out[o, j, r] = data[o, idx[j], r]; negative indices count from the end; out-of-range gives zeros.
struct gather_params {
  const void* data = nullptr;  // (outer, extent, inner) elements
  const void* indices = nullptr;  // (count) int32 or int64
  bool indices_int64 = true;
  void* out = nullptr;  // (outer, count, inner)
  size_t element_size = 4;
  int64_t outer = 0, extent = 0, inner = 0, count = 0;
  unsigned long long* first_bad = nullptr;  // (checks on) gets the smallest position of an out-of-range index
};
status launch_gather(const gather_params& p, cudaStream_t stream);

// out = convert<to>(in) elementwise; bool out is (x != 0); float to integer truncates.
struct cast_params {
  const void* in = nullptr;
  void* out = nullptr;
  mirt_dtype from = MIRT_DTYPE_FLOAT32, to = MIRT_DTYPE_FLOAT32;
  int64_t n = 0;
};
status launch_cast(const cast_params& p, cudaStream_t stream);

// out[i] = values[i] for i < count (at most MIRT_MAX_RANK), as int64.
struct fill_int64_params {
  int64_t* out = nullptr;
  int count = 0;
  int64_t values[k_max_rank] = {};
};
status launch_fill_int64(const fill_int64_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
