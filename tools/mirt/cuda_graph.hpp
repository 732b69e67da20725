// tools/mirt/cuda_graph.hpp — `mirt exec --useCudaGraph`: a context's enqueue captured once into a
// CUDA graph on a stream of mirt exec's own, then replayed for every run (one launch instead of one
// per layer). The CUDA runtime is the one the cuda backend module loaded, found with dlopen, so
// mirt itself links no CUDA and a CPU-only user never needs it.
#pragma once

#include <functional>

namespace mirt::cli {

class cuda_graph {
 public:
  // Finds the loaded CUDA runtime and creates a non-blocking stream. Throws std::runtime_error
  // when no CUDA runtime is loaded (a backend other than cuda).
  cuda_graph();
  ~cuda_graph();
  cuda_graph(const cuda_graph&) = delete;
  cuda_graph& operator=(const cuda_graph&) = delete;

  void* stream() const { return stream_; }
  // Captures enqueue(stream()) into a graph (thread-local capture mode: a CUDA call the capture
  // cannot hold fails the capture with CUDA's message) and instantiates it.
  void capture(const std::function<void(void*)>& enqueue);
  // Replays the graph on stream() (asynchronous).
  void launch();

  struct api;  // the CUDA runtime entry points (cuda_graph.cpp)

 private:
  const api* cuda_ = nullptr;
  void* stream_ = nullptr;
  void* graph_ = nullptr;
  void* exec_ = nullptr;
};

}  // namespace mirt::cli
