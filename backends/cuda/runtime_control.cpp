// backends/cuda/runtime_control.cpp — the vtable's runtime controls: device selection, events,
// the persisting-L2 window, NVTX ranges and the device-pointer check.
#include "backends/cuda/runtime_control.hpp"

#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <chrono>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernels/device_timer.hpp"
#include "backends/cuda/tensor.hpp"

namespace mirt::cuda {

mirt_status set_device(int32_t device_id) {
  return guarded("cuda backend: set_device", [&] {
    require_device();
    const int count = probe_device().count;
    if (device_id < 0 || device_id >= count)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "CUDA device ", device_id, " does not exist: this machine has ", count,
           count == 1 ? " CUDA device (id 0)" : cat(" CUDA devices (ids 0 to ", count - 1, ")"));
    int current = -1;
    // cudaSetDevice is cheap, but skipping it when nothing changes keeps enqueue lean.
    if (cudaGetDevice(&current) == cudaSuccess && current == device_id) return;
    cuda_check(cudaSetDevice(device_id), "cudaSetDevice(", device_id, ")");
  });
}

mirt_status event_record(void* event, void* stream) {
  return guarded("cuda backend: recording the input-consumed event", [&] {
    if (event == nullptr) fail(MIRT_STATUS_INVALID_ARGUMENT, "the event is NULL");
    cuda_check(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)),
               "cudaEventRecord (is it a cudaEvent_t of the current device?)");
  });
}

size_t persisting_cache_max() {
  if (!probe_device().usable) return 0;
  int device = 0, bytes = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&bytes, cudaDevAttrMaxPersistingL2CacheSize, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return static_cast<size_t>(bytes);
}

mirt_status stream_set_persisting_window(void* stream, void* base, size_t size, size_t limit) {
  return guarded("cuda backend: persisting L2 window", [&] {
    require_device();
    int device = 0, max_window = 0;
    cuda_check(cudaGetDevice(&device), "cudaGetDevice");
    cuda_check(cudaDeviceGetAttribute(&max_window, cudaDevAttrMaxAccessPolicyWindowSize, device),
               "cudaDeviceGetAttribute(MaxAccessPolicyWindowSize)");
    cuda_check(cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, limit), "cudaDeviceSetLimit(PersistingL2CacheSize, ",
               limit, " bytes)");
    cudaStreamAttrValue value{};
    auto& window = value.accessPolicyWindow;
    window.base_ptr = limit ? base : nullptr;
    window.num_bytes = limit ? std::min(size, static_cast<size_t>(max_window)) : 0;
    // When the window is larger than the set-aside, only that share of its lines may persist.
    window.hitRatio = window.num_bytes ? std::min(1.0f, float(double(limit) / double(window.num_bytes))) : 0.0f;
    window.hitProp = limit ? cudaAccessPropertyPersisting : cudaAccessPropertyNormal;
    window.missProp = cudaAccessPropertyStreaming;
    cuda_check(cudaStreamSetAttribute(static_cast<cudaStream_t>(stream), cudaStreamAttributeAccessPolicyWindow, &value),
               "cudaStreamSetAttribute(AccessPolicyWindow) on stream ", stream,
               stream ? "" : " (the default stream takes no window: enqueue on a stream of your own)");
    if (!limit) cuda_check(cudaCtxResetPersistingL2Cache(), "cudaCtxResetPersistingL2Cache");
  });
}

void range_push(const char* name, void*) { nvtxRangePushA(name); }
void range_pop(void*) { nvtxRangePop(); }

int32_t is_device_memory(const void* ptr) {
  if (!probe_device().usable) return -1;
  cudaPointerAttributes attr{};
  if (cudaPointerGetAttributes(&attr, ptr) != cudaSuccess) {
    (void)cudaGetLastError();
    return -1;
  }
  if (attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged) return 1;
  // Pinned host memory mapped into the device's address space is addressable (zero-copy).
  if (attr.type == cudaMemoryTypeHost && attr.devicePointer != nullptr) return 1;
  // Pageable memory: addressable only where the device reaches it (HMM, ATS).
  int device = 0, pageable = 0;
  if (cudaGetDevice(&device) == cudaSuccess &&
      cudaDeviceGetAttribute(&pageable, cudaDevAttrPageableMemoryAccess, device) == cudaSuccess && pageable)
    return 1;
  (void)cudaGetLastError();
  return 0;
}

namespace {

struct event_pair {
  cudaEvent_t start = nullptr, stop = nullptr;
  event_pair() {
    cuda_check(cudaEventCreate(&start), "cudaEventCreate");
    cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
  }
  ~event_pair() {
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
  }
  event_pair(const event_pair&) = delete;
  event_pair& operator=(const event_pair&) = delete;
};

}  // namespace

// The device spins first, so the calls queue up behind it and run back to back between the two
// events. When the host took longer to issue them than the spin lasted (the device may have idled
// between calls), it tries again with a spin twice the host's time.
mirt_status time_calls(mirt_status (*run)(void* user), void* user, void* stream, int32_t calls, float* out_ms) {
  mirt_status from_run = nullptr;
  mirt_status st = guarded("cuda backend: timing calls on the device", [&] {
    if (run == nullptr || out_ms == nullptr || calls < 1)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "time_calls needs run, out_ms and calls >= 1 (got ", calls, ")");
    require_device();
    const auto s = static_cast<cudaStream_t>(stream);
    int device = 0, khz = 0;
    cuda_check(cudaGetDevice(&device), "cudaGetDevice");
    cuda_check(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, device), "cudaDeviceGetAttribute(ClockRate)");
    event_pair events;
    double hold_ms = 1.0;
    for (int attempt = 0; attempt < 4; ++attempt) {
      throw_if_failed(launch_busy_wait(static_cast<long long>(hold_ms * khz), s));
      cuda_check(cudaEventRecord(events.start, s), "cudaEventRecord");
      const auto issue_start = std::chrono::steady_clock::now();
      for (int32_t i = 0; i < calls; ++i) {
        from_run = run(user);
        if (from_run != nullptr) {
          (void)cudaStreamSynchronize(s);
          return;
        }
      }
      const double issue_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - issue_start).count();
      cuda_check(cudaEventRecord(events.stop, s), "cudaEventRecord");
      cuda_check(cudaEventSynchronize(events.stop), "cudaEventSynchronize");
      float ms = 0;
      cuda_check(cudaEventElapsedTime(&ms, events.start, events.stop), "cudaEventElapsedTime");
      *out_ms = ms / float(calls);
      if (issue_ms < 0.8 * hold_ms) return;
      hold_ms = 2 * issue_ms;
    }
  });
  if (from_run != nullptr) {
    if (st != nullptr) host_api()->status_destroy(st);
    return from_run;
  }
  return st;
}

}  // namespace mirt::cuda
