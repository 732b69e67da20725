// tools/mirt/cuda_graph.cpp — the CUDA runtime calls behind --useCudaGraph, through dlsym.
#include "cuda_graph.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace mirt::cli {

// The few runtime entry points used, with CUDA's types reduced to what the ABI passes (handles are
// pointers, enums are ints, cudaError_t is an int).
struct cuda_graph::api {
  int (*stream_create_with_flags)(void**, unsigned);
  int (*stream_destroy)(void*);
  int (*stream_begin_capture)(void*, int);
  int (*stream_end_capture)(void*, void**);
  int (*graph_instantiate)(void**, void*, unsigned long long);
  int (*graph_launch)(void*, void*);
  int (*graph_exec_destroy)(void*);
  int (*graph_destroy)(void*);
  const char* (*error_string)(int);
};

namespace {

constexpr unsigned k_stream_non_blocking = 1;      // cudaStreamNonBlocking
constexpr int k_capture_mode_thread_local = 1;      // cudaStreamCaptureModeThreadLocal

template <class F>
void bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (f == nullptr) throw std::runtime_error(std::string("--useCudaGraph: the CUDA runtime has no ") + name);
}

const cuda_graph::api* load_api() {
  static cuda_graph::api a{};
  static const bool loaded = [] {
    void* lib = nullptr;
    // The runtime the cuda module already loaded; RTLD_NOLOAD keeps mirt from loading another one.
    for (const char* name : {"libcudart.so.13", "libcudart.so.12", "libcudart.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_NOLOAD)) != nullptr) break;
    if (lib == nullptr) return false;
    bind(lib, "cudaStreamCreateWithFlags", a.stream_create_with_flags);
    bind(lib, "cudaStreamDestroy", a.stream_destroy);
    bind(lib, "cudaStreamBeginCapture", a.stream_begin_capture);
    bind(lib, "cudaStreamEndCapture", a.stream_end_capture);
    bind(lib, "cudaGraphInstantiateWithFlags", a.graph_instantiate);
    bind(lib, "cudaGraphLaunch", a.graph_launch);
    bind(lib, "cudaGraphExecDestroy", a.graph_exec_destroy);
    bind(lib, "cudaGraphDestroy", a.graph_destroy);
    bind(lib, "cudaGetErrorString", a.error_string);
    return true;
  }();
  if (!loaded)
    throw std::runtime_error("--useCudaGraph needs the cuda backend (no CUDA runtime is loaded in this process)");
  return &a;
}

}  // namespace

cuda_graph::cuda_graph() : cuda_(load_api()) {
  if (int e = cuda_->stream_create_with_flags(&stream_, k_stream_non_blocking))
    throw std::runtime_error(std::string("--useCudaGraph: cudaStreamCreateWithFlags: ") + cuda_->error_string(e));
}

cuda_graph::~cuda_graph() {
  if (exec_) cuda_->graph_exec_destroy(exec_);
  if (graph_) cuda_->graph_destroy(graph_);
  if (stream_) cuda_->stream_destroy(stream_);
}

void cuda_graph::capture(const std::function<void(void*)>& enqueue) {
  if (int e = cuda_->stream_begin_capture(stream_, k_capture_mode_thread_local))
    throw std::runtime_error(std::string("--useCudaGraph: cudaStreamBeginCapture: ") + cuda_->error_string(e));
  try {
    enqueue(stream_);
  } catch (...) {
    void* broken = nullptr;
    cuda_->stream_end_capture(stream_, &broken);
    if (broken) cuda_->graph_destroy(broken);
    throw;
  }
  if (int e = cuda_->stream_end_capture(stream_, &graph_))
    throw std::runtime_error(std::string("--useCudaGraph: capturing the enqueue failed (a layer made a CUDA call a graph "
                                         "cannot hold): cudaStreamEndCapture: ") +
                             cuda_->error_string(e));
  if (int e = cuda_->graph_instantiate(&exec_, graph_, 0))
    throw std::runtime_error(std::string("--useCudaGraph: cudaGraphInstantiateWithFlags: ") + cuda_->error_string(e));
}

void cuda_graph::launch() {
  if (int e = cuda_->graph_launch(exec_, stream_))
    throw std::runtime_error(std::string("--useCudaGraph: cudaGraphLaunch: ") + cuda_->error_string(e));
}

}  // namespace mirt::cli
