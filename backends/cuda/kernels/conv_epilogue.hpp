// backends/cuda/kernels/conv_epilogue.hpp — a convolution's epilogue when cuDNN's graph API runs
// the convolution alone: y = act(conv + bias[c] [+ z]).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// n elements of float32, float16 or bfloat16 (all operands one dtype), computed in float32. The
// channel of element i is i % channels (channels-last, inner 1) or (i / inner) % channels.
struct conv_epilogue_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* conv = nullptr;  // may equal y
  const void* bias = nullptr;  // [channels], or nullptr
  const void* z = nullptr;     // like y, or nullptr; may equal y when conv does not
  void* y = nullptr;
  int64_t n = 0, channels = 1, inner = 1;
  bool relu = false;
};
status launch_conv_epilogue(const conv_epilogue_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
