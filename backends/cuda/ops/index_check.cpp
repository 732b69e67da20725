// backends/cuda/ops/index_check.cpp — the device flag of out-of-range index checks (see the header).
#include "backends/cuda/ops/index_check.hpp"

#include <cstdlib>
#include <cstring>

#include "backends/cuda/check.hpp"

namespace mirt::cuda {

bool index_checks_requested() {
  const char* env = std::getenv("MIRT_CUDA_CHECK_INDICES");
  return env != nullptr && *env != '\0' && std::strcmp(env, "0") != 0;
}

index_check::index_check(bool requested, cudaStream_t stream) : stream_(stream) {
  if (!requested) return;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  cuda_check(cudaStreamIsCapturing(stream, &capture), "querying the stream's capture status");
  if (capture != cudaStreamCaptureStatusNone) return;
  cuda_check(cudaMallocAsync(reinterpret_cast<void**>(&flag_), sizeof(*flag_), stream), "allocating the index check's flag");
  cuda_check(cudaMemsetAsync(flag_, 0xff, sizeof(*flag_), stream), "clearing the index check's flag");
}

index_check::~index_check() {
  if (flag_ != nullptr) cudaFreeAsync(flag_, stream_);
}

int64_t index_check::first_bad() {
  if (flag_ == nullptr) return -1;
  unsigned long long first = ~0ull;
  cuda_check(cudaMemcpyAsync(&first, flag_, sizeof(first), cudaMemcpyDeviceToHost, stream_), "reading the index check's flag");
  cuda_check(cudaStreamSynchronize(stream_), "waiting for the checked call");
  return first == ~0ull ? -1 : int64_t(first);
}

int64_t index_value_at(const dtensor& idx, int64_t at, cudaStream_t stream) {
  const size_t es = dtype_size(idx.dtype);
  int64_t v64 = 0;
  int32_t v32 = 0;
  void* host = es == 8 ? static_cast<void*>(&v64) : static_cast<void*>(&v32);
  cuda_check(cudaMemcpyAsync(host, static_cast<const uint8_t*>(idx.data) + size_t(at) * es, es, cudaMemcpyDeviceToHost, stream),
             "reading index ", at);
  cuda_check(cudaStreamSynchronize(stream), "reading index ", at);
  return es == 8 ? v64 : int64_t(v32);
}

}  // namespace mirt::cuda
