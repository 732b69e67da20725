// backends/cuda/runtime_control.cpp — the vtable's runtime controls: device selection, events,
// the persisting-L2 window, NVTX ranges and the device-pointer check.
#include "backends/cuda/runtime_control.hpp"

#include <nvtx3/nvToolsExt.h>

#include <algorithm>

#include "backends/cuda/check.hpp"

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

}  // namespace mirt::cuda
