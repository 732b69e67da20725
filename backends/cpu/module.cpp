// backends/cpu/module.cpp — the module entry point and the backend vtable; the only C edge.
#include <cstdlib>
#include <cstring>

#include "backends/cpu/kernel.hpp"
#include "backends/support/backend_glue.hpp"
#include "mirt/backend.h"
#include "mirt/module.h"

namespace mirt::cpu {
namespace {

const char* device_signature() {
#if defined(__x86_64__) || defined(_M_X64)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

struct cpu_traits {
  static constexpr const char* name = "cpu";
  using kernel = cpu::kernel;
  using exec_args = cpu::exec_args;
  static const std::vector<op_entry>& ops() { return op_table(); }
  static void require_device() {}
  static void bind_stream(exec_args&, void*) {}  // runs synchronously on the calling thread
};
using glue = backend_glue<cpu_traits>;


mirt_status memory_alloc(size_t size, void** out_ptr) {
  if (out_ptr == nullptr) return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cpu backend: memory_alloc needs out_ptr");
  const size_t rounded = (size + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (p == nullptr) return make_status(MIRT_STATUS_OUT_OF_MEMORY, cat("cpu backend: cannot allocate ", size, " bytes"));
  *out_ptr = p;
  return nullptr;
}

void memory_free(void* ptr) { std::free(ptr); }

mirt_status memory_copy(void* dst, const void* src, size_t size, mirt_copy_kind kind, void* stream) {
  (void)kind;
  (void)stream;  // host memory: every kind is a plain copy, done before returning
  if (size == 0) return nullptr;
  if (dst == nullptr || src == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, cat("cpu backend: memory_copy of ", size, " bytes with a NULL pointer"));
  std::memmove(dst, src, size);
  return nullptr;
}

mirt_status stream_synchronize(void*) { return nullptr; }

int32_t score() { return 1; }

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
    MIRT_TENSOR_LOCATION_HOST,
};

const mirt_module_desc k_desc = {
    sizeof(mirt_module_desc),
    MIRT_ABI_VERSION,
    "cpu",
    "0.1.0",
    MIRT_MODULE_KIND_BACKEND,
    "CPU backend: fp32 kernels on oneDNN and reference loops",
    score,
    &k_vtable,
};

}  // namespace
}  // namespace mirt::cpu

extern "C" MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  // Statuses are made through the host; without one (or from another ABI) the module cannot serve.
  if (host_abi_version != MIRT_ABI_VERSION || host == nullptr || host->status_create == nullptr) return nullptr;
  mirt::cpu::set_host_api(host);
  return &mirt::cpu::k_desc;
}
