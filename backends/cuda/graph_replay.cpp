// backends/cuda/graph_replay.cpp — the vtable's graph group (mirt_context_set_graph_replay): a
// run recorded by stream capture into a CUDA graph, instantiated (or an earlier graph updated in
// place when only node parameters changed) and launched.
#include "backends/cuda/check.hpp"
#include "backends/cuda/runtime_control.hpp"

namespace mirt::cuda {

mirt_status graph_record_begin(void* stream) {
  return guarded("cuda backend: graph_record_begin", [&] {
    if (stream == nullptr) fail(MIRT_STATUS_UNSUPPORTED, "the default stream cannot be captured into a CUDA graph");
    // Thread-local: other threads' CUDA calls (other contexts) go on as usual meanwhile.
    cuda_check(cudaStreamBeginCapture(static_cast<cudaStream_t>(stream), cudaStreamCaptureModeThreadLocal),
               "cudaStreamBeginCapture");
  });
}

mirt_status graph_record_end(void* stream, void* previous, void** out_graph) {
  return guarded("cuda backend: graph_record_end", [&] {
    if (out_graph == nullptr) fail(MIRT_STATUS_INVALID_ARGUMENT, "graph_record_end needs out_graph");
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(static_cast<cudaStream_t>(stream), &graph);
    if (ended != cudaSuccess || graph == nullptr) {
      (void)cudaGetLastError();
      fail(MIRT_STATUS_UNSUPPORTED, "the CUDA graph capture broke (", cudaGetErrorString(ended),
           "): a call during the run cannot be captured, e.g. a synchronization");
    }
    struct graph_owner {
      cudaGraph_t g;
      ~graph_owner() { cudaGraphDestroy(g); }
    } owner{graph};
    if (previous != nullptr) {
      cudaGraphExecUpdateResultInfo info{};
      if (cudaGraphExecUpdate(static_cast<cudaGraphExec_t>(previous), graph, &info) == cudaSuccess) {
        *out_graph = previous;
        return;
      }
      (void)cudaGetLastError();  // another topology: a new graph
    }
    cudaGraphExec_t exec = nullptr;
    cuda_check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
    *out_graph = exec;
  });
}

mirt_status graph_launch(void* graph, void* stream) {
  return guarded("cuda backend: graph_launch", [&] {
    cuda_check(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph), static_cast<cudaStream_t>(stream)), "cudaGraphLaunch");
  });
}

void graph_destroy(void* graph) {
  if (graph != nullptr) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph));
}

}  // namespace mirt::cuda
