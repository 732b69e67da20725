// backends/cuda/module.cpp — the module entry point and the backend vtable; the only C edge.
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/runtime_control.hpp"
#include "backends/support/backend_glue.hpp"
#include "mirt/backend.h"
#include "mirt/module.h"

namespace mirt::cuda {
namespace {

const char* device_signature() { return current_device_signature(); }

struct cuda_traits {
  static constexpr const char* name = "cuda";
  using kernel = cuda::kernel;
  using exec_args = cuda::exec_args;
  static const std::vector<op_entry>& ops() { return op_table(); }
  static void require_device() { cuda::require_device(); }
  static void bind_stream(exec_args& args, void* stream) { args.stream = static_cast<cudaStream_t>(stream); }
};
using glue = backend_glue<cuda_traits>;

mirt_status memory_alloc(size_t size, void** out_ptr) {
  if (out_ptr == nullptr) return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cuda backend: memory_alloc needs out_ptr");
  return guarded("cuda backend: memory_alloc", [&] {
    require_device();
    void* p = nullptr;
    // cudaMalloc aligns to at least 256 bytes.
    cuda_check(cudaMalloc(&p, size == 0 ? 256 : size), "cudaMalloc of ", size, " bytes");
    *out_ptr = p;
  });
}

void memory_free(void* ptr) {
  if (ptr != nullptr) cudaFree(ptr);
}

// Whether p is memory the GPU can address as device memory (device or managed allocations).
bool is_device_pointer(const void* p) {
  cudaPointerAttributes attr{};
  if (cudaPointerGetAttributes(&attr, p) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged;
}

mirt_status memory_copy(void* dst, const void* src, size_t size, mirt_copy_kind kind, void* stream) {
  if (size == 0) return nullptr;
  return guarded("cuda backend: memory_copy", [&] {
    if (dst == nullptr || src == nullptr)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "a copy of ", size, " bytes with a NULL pointer");
    cudaMemcpyKind k = cudaMemcpyDefault;
    const char* name = "";
    switch (kind) {
      case MIRT_COPY_KIND_HOST_TO_DEVICE: k = cudaMemcpyHostToDevice, name = "host-to-device"; break;
      case MIRT_COPY_KIND_DEVICE_TO_HOST: k = cudaMemcpyDeviceToHost, name = "device-to-host"; break;
      case MIRT_COPY_KIND_DEVICE_TO_DEVICE: k = cudaMemcpyDeviceToDevice, name = "device-to-device"; break;
      default: fail(MIRT_STATUS_INVALID_ARGUMENT, "copy kind ", int(kind), " is not host-to-device, device-to-host or device-to-device");
    }
    const bool dst_dev = kind != MIRT_COPY_KIND_DEVICE_TO_HOST, src_dev = kind != MIRT_COPY_KIND_HOST_TO_DEVICE;
    if (dst_dev && !is_device_pointer(dst))
      fail(MIRT_STATUS_INVALID_ARGUMENT, name, " copy of ", size, " bytes: the destination ", dst,
           " is not device memory (a host pointer was passed where a device pointer is needed)");
    if (src_dev && !is_device_pointer(src))
      fail(MIRT_STATUS_INVALID_ARGUMENT, name, " copy of ", size, " bytes: the source ", src,
           " is not device memory (a host pointer was passed where a device pointer is needed)");
    cuda_check(cudaMemcpyAsync(dst, src, size, k, static_cast<cudaStream_t>(stream)), "cudaMemcpyAsync ", name, " of ",
               size, " bytes");
  });
}

mirt_status stream_synchronize(void* stream) {
  return guarded("cuda backend: stream_synchronize", [&] {
    cuda_check(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "cudaStreamSynchronize");
  });
}

// 0 without a usable GPU and driver (cheap: no context is created), else above the CPU's 1.
int32_t score() { return probe_device().usable ? 100 : 0; }

const mirt_backend_vtable k_vtable = {
    sizeof(mirt_backend_vtable),
    device_signature,
    glue::get_tactics,
    glue::kernel_create,
    glue::kernel_workspace_size,
    glue::kernel_execute,
    glue::kernel_destroy,
    memory_alloc,
    memory_free,
    memory_copy,
    stream_synchronize,
    MIRT_TENSOR_LOCATION_DEVICE,
    set_device,
    event_record,
    persisting_cache_max,
    stream_set_persisting_window,
    range_push,
    range_pop,
    is_device_memory,
    time_calls,
    graph_record_begin,
    graph_record_end,
    graph_launch,
    graph_destroy,
};

const mirt_module_desc k_desc = {
    sizeof(mirt_module_desc),
    MIRT_ABI_VERSION,
    "cuda",
    "0.1.0",
    MIRT_MODULE_KIND_BACKEND,
    "CUDA backend: fp32/tf32 kernels on cuBLASLt, cuDNN and own CUDA kernels",
    score,
    &k_vtable,
};

}  // namespace
}  // namespace mirt::cuda

extern "C" MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  if (host_abi_version != MIRT_ABI_VERSION || host == nullptr || host->status_create == nullptr) return nullptr;
  mirt::cuda::set_host_api(host);
  return &mirt::cuda::k_desc;
}
