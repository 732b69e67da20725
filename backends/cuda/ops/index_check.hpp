// backends/cuda/ops/index_check.hpp — out-of-range index checks on the device, a debugging aid.
//
// The cpu backend fails on an out-of-range index of Gather, GatherElements, GatherND, ScatterND,
// ScatterElements and mirt::EmbedLayerNormalization, naming the layer, the index and its position. The cuda kernels cannot stop
// the stream: by default such an index reads as zero (gathers, the embedding's row) or is skipped (scatters), at no
// cost. With MIRT_CUDA_CHECK_INDICES=1 in the environment when the layer's kernel is created (at
// engine creation), each call of those layers also records the first bad position in a device
// flag, waits for its stream and fails with the cpu backend's message; the runtime prefixes the
// layer's name. That costs a stream synchronization per checked call. A call on a stream being
// captured into a CUDA graph is not checked (it cannot wait).
#pragma once

#include <cstdint>

#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {

// Whether MIRT_CUDA_CHECK_INDICES is set to something other than "" or "0" (read at each call:
// kernels call it when they are created).
bool index_checks_requested();

// One checked call: the flag on the call's stream (nullptr when checks are off or the stream is
// capturing), given to the launcher as first_bad, then read back.
class index_check {
 public:
  index_check(bool requested, cudaStream_t stream);
  ~index_check();
  index_check(const index_check&) = delete;
  index_check& operator=(const index_check&) = delete;

  unsigned long long* flag() const { return flag_; }
  // After the launch: waits for the stream and returns the smallest flat position of an
  // out-of-range index in the indices tensor, or -1 (always -1 when unchecked).
  int64_t first_bad();

 private:
  cudaStream_t stream_;
  unsigned long long* flag_ = nullptr;
};

// The integer (int32 or int64) at flat position `at` of device tensor idx (waits for the stream).
int64_t index_value_at(const dtensor& idx, int64_t at, cudaStream_t stream);

}  // namespace mirt::cuda
