// backends/cuda/check.hpp — CUDA, cuBLAS and cuDNN results turned into errors that carry the
// library's own message, and the probe of the machine's GPU.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>
#include <vector>

#include "backends/cuda/host.hpp"

namespace mirt::cuda {

// Free and total device memory as "X MiB free of Y MiB", or why it is unknown.
std::string memory_report();

[[noreturn]] void throw_cuda(cudaError_t e, const std::string& doing);
[[noreturn]] void throw_cublas(cublasStatus_t s, const std::string& doing);
[[noreturn]] void throw_cudnn(cudnnStatus_t s, const std::string& doing);

template <class... Parts>
void cuda_check(cudaError_t e, const Parts&... doing) {
  if (e != cudaSuccess) throw_cuda(e, cat(doing...));
}
template <class... Parts>
void cublas_check(cublasStatus_t s, const Parts&... doing) {
  if (s != CUBLAS_STATUS_SUCCESS) throw_cublas(s, cat(doing...));
}
template <class... Parts>
void cudnn_check(cudnnStatus_t s, const Parts&... doing) {
  if (s != CUDNN_STATUS_SUCCESS) throw_cudnn(s, cat(doing...));
}

// What the machine offers, probed once (thread-safe) without creating a context on failure.
struct device_probe {
  bool usable = false;
  int count = 0;
  int major = 0, minor = 0;
  std::string why;       // when not usable: CUDA's message
  std::string signature;  // of device 0: "sm_90", or "no-gpu"
  std::vector<std::string> signatures;  // of each device
};
const device_probe& probe_device();

// The signature of the calling thread's current device (set_device), in static storage.
const char* current_device_signature();

// Fails with UNSUPPORTED when there is no usable GPU, naming CUDA's reason and the CPU backend.
void require_device();

}  // namespace mirt::cuda
