// tools/mirt/cuda_stream.cpp — the CUDA runtime calls behind --useCudaGraph's stream, through dlsym.
#include "cuda_stream.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace mirt::cli {

// The few runtime entry points used, with CUDA's types reduced to what the ABI passes (a stream is a
// pointer, cudaError_t an int).
struct cuda_stream::api {
  int (*stream_create_with_flags)(void**, unsigned);
  int (*stream_destroy)(void*);
  const char* (*error_string)(int);
};

namespace {

constexpr unsigned k_stream_non_blocking = 1;  // cudaStreamNonBlocking

template <class F>
void bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (f == nullptr) throw std::runtime_error(std::string("--useCudaGraph: the CUDA runtime has no ") + name);
}

const cuda_stream::api* load_api() {
  static cuda_stream::api a{};
  static const bool loaded = [] {
    void* lib = nullptr;
    // The runtime the cuda module already loaded; RTLD_NOLOAD keeps mirt from loading another one.
    for (const char* name : {"libcudart.so.13", "libcudart.so.12", "libcudart.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_NOLOAD)) != nullptr) break;
    if (lib == nullptr) return false;
    bind(lib, "cudaStreamCreateWithFlags", a.stream_create_with_flags);
    bind(lib, "cudaStreamDestroy", a.stream_destroy);
    bind(lib, "cudaGetErrorString", a.error_string);
    return true;
  }();
  if (!loaded)
    throw std::runtime_error("--useCudaGraph needs the cuda backend (no CUDA runtime is loaded in this process)");
  return &a;
}

}  // namespace

cuda_stream::cuda_stream() : cuda_(load_api()) {
  if (int e = cuda_->stream_create_with_flags(&stream_, k_stream_non_blocking))
    throw std::runtime_error(std::string("--useCudaGraph: cudaStreamCreateWithFlags: ") + cuda_->error_string(e));
}

cuda_stream::~cuda_stream() {
  if (stream_) cuda_->stream_destroy(stream_);
}

}  // namespace mirt::cli
