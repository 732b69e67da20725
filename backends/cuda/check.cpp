// backends/cuda/check.cpp — error translation and the device probe.
#include "backends/cuda/check.hpp"

#include <mutex>

namespace mirt::cuda {

std::string memory_report() {
  size_t free_bytes = 0, total_bytes = 0;
  const cudaError_t e = cudaMemGetInfo(&free_bytes, &total_bytes);
  if (e != cudaSuccess) return cat("free memory unknown (", cudaGetErrorString(e), ")");
  return cat(free_bytes >> 20, " MiB free of ", total_bytes >> 20, " MiB");
}

void throw_cuda(cudaError_t e, const std::string& doing) {
  const char* name = cudaGetErrorName(e);
  const std::string lib = cat("CUDA error ", name ? name : "?", " (", cudaGetErrorString(e), ")");
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // clear it, so later calls on this thread do not see it
    throw error(MIRT_STATUS_OUT_OF_MEMORY, cat(doing, ": out of device memory: ", lib, "; ", memory_report()));
  }
  if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver)
    throw error(MIRT_STATUS_UNSUPPORTED, cat(doing, ": ", lib));
  throw error(MIRT_STATUS_DEVICE_ERROR, cat(doing, ": ", lib));
}

void throw_cublas(cublasStatus_t s, const std::string& doing) {
  const std::string lib = cat("cuBLAS error ", cublasGetStatusName(s), " (", cublasGetStatusString(s), ")");
  if (s == CUBLAS_STATUS_ALLOC_FAILED)
    throw error(MIRT_STATUS_OUT_OF_MEMORY, cat(doing, ": ", lib, "; ", memory_report()));
  if (s == CUBLAS_STATUS_NOT_SUPPORTED) throw error(MIRT_STATUS_UNSUPPORTED, cat(doing, ": ", lib));
  throw error(MIRT_STATUS_DEVICE_ERROR, cat(doing, ": ", lib));
}

void throw_cudnn(cudnnStatus_t s, const std::string& doing) {
  // cuDNN 9 keeps a longer message of the thread's last failure (which check failed, and why).
  char detail[1024] = {};
  cudnnGetLastErrorString(detail, sizeof detail);
  const std::string lib = cat("cuDNN error ", int(s), " (", cudnnGetErrorString(s), ")", detail[0] ? ": " : "", detail);
  if (s == CUDNN_STATUS_ALLOC_FAILED)
    throw error(MIRT_STATUS_OUT_OF_MEMORY, cat(doing, ": ", lib, "; ", memory_report()));
  if (s / 1000 == CUDNN_STATUS_NOT_SUPPORTED / 1000) throw error(MIRT_STATUS_UNSUPPORTED, cat(doing, ": ", lib));
  throw error(MIRT_STATUS_DEVICE_ERROR, cat(doing, ": ", lib));
}

const device_probe& probe_device() {
  static const device_probe probe = [] {
    device_probe p;
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
      (void)cudaGetLastError();
      const char* name = cudaGetErrorName(e);
      p.why = cat("cudaGetDeviceCount failed with ", name ? name : "?", " (", cudaGetErrorString(e), ")");
    } else if (count == 0) {
      p.why = "cudaGetDeviceCount found 0 devices";
    } else {
      cudaDeviceProp prop{};
      const cudaError_t pe = cudaGetDeviceProperties(&prop, 0);
      if (pe != cudaSuccess) {
        p.why = cat("cudaGetDeviceProperties(0) failed: ", cudaGetErrorString(pe));
      } else {
        p.usable = true;
        p.count = count;
        p.major = prop.major;
        p.minor = prop.minor;
        for (int d = 0; d < count; ++d) {
          cudaDeviceProp other{};
          p.signatures.push_back(cudaGetDeviceProperties(&other, d) == cudaSuccess ? cat("sm_", other.major, other.minor)
                                                                                  : std::string("unknown"));
        }
      }
    }
    p.signature = p.usable ? cat("sm_", p.major, p.minor) : "no-gpu";
    return p;
  }();
  return probe;
}

const char* current_device_signature() {
  const device_probe& p = probe_device();
  int device = 0;
  if (!p.usable || cudaGetDevice(&device) != cudaSuccess || device < 0 || size_t(device) >= p.signatures.size())
    return p.signature.c_str();
  return p.signatures[size_t(device)].c_str();
}

void require_device() {
  const device_probe& p = probe_device();
  if (!p.usable)
    fail(MIRT_STATUS_UNSUPPORTED, "no CUDA device/driver: ", p.why,
         "; the CPU backend (--backend cpu) runs without one");
}

}  // namespace mirt::cuda
