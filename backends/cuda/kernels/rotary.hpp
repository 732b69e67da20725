// backends/cuda/kernels/rotary.hpp — RotaryEmbedding's launcher.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x and y (distinct buffers) as (batch, heads, seq, head) (four_d) or (batch, seq, heads * head): the first `rot`
// values of each head rotated by the (cos, sin) row of its position, pairing (i, i + rot/2) or,
// interleaved, (2i, 2i + 1); the rest copied. The row is position_ids[b, s] (int32 or int64; one
// outside [0, cache_rows) reads zeros: the device cannot report it) or b * seq + s without them.
// x, y, cos and sin share the dtype (float32, float16, bfloat16); arithmetic in float32.
struct rotary_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  void* y = nullptr;
  const void* cos = nullptr;  // (cache_rows, rot / 2)
  const void* sin = nullptr;
  const void* positions = nullptr;  // (batch, seq) or NULL
  bool positions_int64 = true;
  bool four_d = true, interleaved = false;
  int64_t batch = 0, heads = 0, seq = 0, head = 0, rot = 0, cache_rows = 0;
};
status launch_rotary(const rotary_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
