// backends/cuda/ops/cufft_plan.cpp — cuFFT plans for the signal ops and their errors.
#include "backends/cuda/ops/cufft_plan.hpp"

#include "backends/cuda/check.hpp"

namespace mirt::cuda {

const char* cufft_result_name(cufftResult r) {
  switch (r) {
    case CUFFT_SUCCESS: return "CUFFT_SUCCESS";
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
    case CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    case CUFFT_UNALIGNED_DATA: return "CUFFT_UNALIGNED_DATA";
    case CUFFT_INVALID_DEVICE: return "CUFFT_INVALID_DEVICE";
    case CUFFT_NO_WORKSPACE: return "CUFFT_NO_WORKSPACE";
    case CUFFT_NOT_IMPLEMENTED: return "CUFFT_NOT_IMPLEMENTED";
    case CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
    default: return "an unknown cuFFT result";
  }
}

void throw_cufft(cufftResult r, const std::string& doing) {
  const std::string lib = cat("cuFFT error ", cufft_result_name(r), " (", int(r), ")");
  if (r == CUFFT_ALLOC_FAILED) throw error(MIRT_STATUS_OUT_OF_MEMORY, cat(doing, ": ", lib, "; ", memory_report()));
  if (r == CUFFT_INVALID_SIZE || r == CUFFT_NOT_SUPPORTED || r == CUFFT_NOT_IMPLEMENTED)
    throw error(MIRT_STATUS_UNSUPPORTED, cat(doing, ": ", lib));
  throw error(MIRT_STATUS_DEVICE_ERROR, cat(doing, ": ", lib));
}

fft_plan::fft_plan(int64_t n, int64_t batch, bool double_precision, cudaStream_t stream) : double_precision_(double_precision) {
  const size_t bytes = size_t(n) * size_t(batch) * (double_precision ? sizeof(cufftDoubleComplex) : sizeof(cufftComplex));
  cuda_check(cudaMalloc(&lines_, bytes), "allocating ", bytes, " bytes for ", batch, " FFT lines of length ", n);
  try {
    cufft_check(cufftCreate(&handle_), "cufftCreate");
    long long length = n;
    size_t work_bytes = 0;
    // Contiguous lines (no embedding): each line's entries are adjacent, lines n apart.
    cufft_check(cufftMakePlanMany64(handle_, 1, &length, nullptr, 1, n, nullptr, 1, n, double_precision ? CUFFT_Z2Z : CUFFT_C2C,
                                    batch, &work_bytes),
                "planning ", batch, " FFTs of length ", n, double_precision ? " in float64" : " in float32");
    cufft_check(cufftSetStream(handle_, stream), "cufftSetStream");
  } catch (...) {
    if (handle_) cufftDestroy(handle_);
    cudaFree(lines_);
    throw;
  }
}

fft_plan::~fft_plan() {
  cufftDestroy(handle_);
  cudaFree(lines_);
}

void fft_plan::execute(bool inverse) const {
  const int direction = inverse ? CUFFT_INVERSE : CUFFT_FORWARD;
  if (double_precision_) {
    auto* z = static_cast<cufftDoubleComplex*>(lines_);
    cufft_check(cufftExecZ2Z(handle_, z, z, direction), "cufftExecZ2Z");
  } else {
    auto* c = static_cast<cufftComplex*>(lines_);
    cufft_check(cufftExecC2C(handle_, c, c, direction), "cufftExecC2C");
  }
}

std::shared_ptr<fft_plan> fft_plan_cache::get(int64_t n, int64_t batch, bool double_precision, cudaStream_t stream) {
  int device = 0;
  cuda_check(cudaGetDevice(&device), "cudaGetDevice");
  const key k{device, reinterpret_cast<uintptr_t>(stream), n, batch, double_precision};
  std::lock_guard<std::mutex> hold(mutex_);
  if (auto it = plans_.find(k); it != plans_.end()) return it->second;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  cuda_check(cudaStreamIsCapturing(stream, &capture), "querying the stream's capture status");
  if (capture != cudaStreamCaptureStatusNone)
    fail(MIRT_STATUS_UNSUPPORTED, "no cuFFT plan yet for ", batch, " FFTs of length ", n,
         " on this stream, and cuFFT cannot plan while the stream is captured into a CUDA graph: run once without capture first");
  auto plan = std::make_shared<fft_plan>(n, batch, double_precision, stream);
  plans_.emplace(k, plan);
  return plan;
}

}  // namespace mirt::cuda
