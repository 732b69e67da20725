// backends/cuda/ops/cufft_plan.hpp — batched in-place cuFFT transforms for the signal ops (DFT,
// STFT): a plan owning its complex line buffer, a per-kernel cache of them, and cuFFT results
// turned into errors.
#pragma once

#include <cuda_runtime.h>
#include <cufft.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "backends/cuda/host.hpp"

namespace mirt::cuda {

// cuFFT's result code by name, e.g. "CUFFT_INVALID_SIZE".
const char* cufft_result_name(cufftResult r);

[[noreturn]] void throw_cufft(cufftResult r, const std::string& doing);
template <class... Parts>
void cufft_check(cufftResult r, const Parts&... doing) {
  if (r != CUFFT_SUCCESS) throw_cufft(r, cat(doing...));
}

// `batch` complex lines of length n transformed in place in the plan's own device buffer (C2C in
// float32, Z2Z in float64), bound to one stream. The buffer and cuFFT's work area serve one run at
// a time: a caller holds lock() from filling the lines until it enqueued reading them back.
class fft_plan {
 public:
  fft_plan(int64_t n, int64_t batch, bool double_precision, cudaStream_t stream);
  ~fft_plan();
  fft_plan(const fft_plan&) = delete;
  fft_plan& operator=(const fft_plan&) = delete;

  void* lines() const { return lines_; }
  // Enqueues the transform of every line on the plan's stream: forward (e^{-2 pi i j k / n}) or
  // inverse (e^{+2 pi i j k / n}, not scaled).
  void execute(bool inverse) const;
  std::mutex& lock() const { return mutex_; }

 private:
  cufftHandle handle_ = 0;
  bool double_precision_;
  void* lines_ = nullptr;
  mutable std::mutex mutex_;
};

// One kernel's plans by (device, stream, length, batch, precision), shared by the threads that run
// it. Plans live as long as the kernel: a CUDA graph recorded from a run keeps pointing at its
// plan's buffer and work area. A plan is made on a shape's first run on a stream; under CUDA graph
// capture cuFFT cannot plan (it allocates), so a missing plan then fails with UNSUPPORTED (the
// runtime's graph replay runs once plainly before it records, which makes the plan).
class fft_plan_cache {
 public:
  std::shared_ptr<fft_plan> get(int64_t n, int64_t batch, bool double_precision, cudaStream_t stream);

 private:
  using key = std::tuple<int, uintptr_t, int64_t, int64_t, bool>;
  std::mutex mutex_;
  std::map<key, std::shared_ptr<fft_plan>> plans_;
};

}  // namespace mirt::cuda
