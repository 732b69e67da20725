// backends/cuda/kernels/reverse_sequence.hpp — ReverseSequence: per batch entry, the first
// sequence_lens[b] steps along the time axis reversed, the rest copied.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// x and y (distinct buffers) as [time, batch, inner] (time_major) or [batch, time, inner], elements
// of element_size bytes (1, 2, 4 or 8). lens: (batch) int32 or int64 on the device; a length
// outside [0, steps] is clamped to it (the device cannot report it).
struct reverse_sequence_params {
  const void* x = nullptr;
  void* y = nullptr;
  const void* lens = nullptr;
  bool lens_int64 = true;
  bool time_major = true;
  size_t element_size = 4;
  int64_t batch = 0, steps = 0, inner = 0;
};
status launch_reverse_sequence(const reverse_sequence_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
