// tools/mirt/cuda_stream.hpp — `mirt exec --useCudaGraph`: a non-blocking CUDA stream of mirt exec's
// own, on which the context's graph replay (mirt_context_set_graph_replay) records and launches the
// runs (it refuses the default stream). The CUDA runtime is the one the cuda backend module loaded,
// found with dlopen, so mirt itself links no CUDA and a CPU-only user never needs it.
#pragma once

namespace mirt::cli {

class cuda_stream {
 public:
  // Finds the loaded CUDA runtime and creates the stream. Throws std::runtime_error when no CUDA
  // runtime is loaded (a backend other than cuda).
  cuda_stream();
  ~cuda_stream();
  cuda_stream(const cuda_stream&) = delete;
  cuda_stream& operator=(const cuda_stream&) = delete;

  void* get() const { return stream_; }

  struct api;  // the CUDA runtime entry points (cuda_stream.cpp)

 private:
  const api* cuda_ = nullptr;
  void* stream_ = nullptr;
};

}  // namespace mirt::cli
