// backends/cuda/kernels/layout.hpp — NCHW to channels-last with an optional float conversion
// (mirt::Reformat at an image input; the plain same-dtype transposes are in data_movement.hpp).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// out[n][p][c] = convert<to>(in[n][c][p]) for n < batch, c < channels, p < pixels; from and to are
// float32, float16 or bfloat16 (float16/bfloat16 round to nearest even).
struct to_channels_last_params {
  const void* in = nullptr;
  void* out = nullptr;
  mirt_dtype from = MIRT_DTYPE_FLOAT32, to = MIRT_DTYPE_FLOAT16;
  int64_t batch = 0, channels = 0, pixels = 0;
};
status launch_to_channels_last(const to_channels_last_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
