// module.cpp — the module's entry point and its backend vtable: the only C edge of the example
// backend. Everything mirt calls arrives here; exceptions from kernels stop here and become
// mirt_status values made by the host.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include <mirt/backend.h>
#include <mirt/module.h>

#include "kernels.hpp"

// Built against another module ABI on purpose only by the test of the refusal message.
#ifndef EXAMPLE_ABI_VERSION
#define EXAMPLE_ABI_VERSION MIRT_ABI_VERSION
#endif
#ifndef EXAMPLE_BACKEND_NAME
#define EXAMPLE_BACKEND_NAME "example"
#endif

// The opaque mirt_kernel of mirt/backend.h, defined by this module: the kernel and the words that
// every error message about it starts with.
struct mirt_kernel {
  std::unique_ptr<example::kernel> impl;
  std::string where;
};

namespace example {
namespace {

const mirt_host_api* g_host = nullptr;  // set by mirt_module_entry; valid while the module is loaded

mirt_status make_status(mirt_status_code code, const std::string& message) {
  return g_host->status_create(code, mirt_string_view{message.data(), message.size()});
}

std::string where(const mirt_node_info& node) {
  return std::string(EXAMPLE_BACKEND_NAME) + " backend: layer '" + text(node.name) + "' (" + text(node.op_type) + ")";
}

// Runs body and turns whatever it throws into a status: no exception may cross a table call.
template <class Body>
mirt_status guarded(const std::string& context, Body&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (const backend_error& e) {
    return make_status(e.code(), context + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return make_status(MIRT_STATUS_OUT_OF_MEMORY, context + ": out of host memory");
  } catch (const std::exception& e) {
    return make_status(MIRT_STATUS_INTERNAL, context + ": " + e.what());
  } catch (...) {
    return make_status(MIRT_STATUS_INTERNAL, context + ": unknown exception");
  }
}

bool standard_domain(const mirt_node_info& node) {
  const std::string domain = text(node.domain);
  return domain.empty() || domain == "ai.onnx";
}

std::string op_list() {
  std::string ops;
  for (const tactic& t : all_tactics())
    if (ops.find(std::string(t.op_type) + ",") == std::string::npos) ops += std::string(t.op_type) + ", ";
  return ops.substr(0, ops.size() - 2);
}

const char* device_signature() { return "reference"; }  // plain C++: runs wherever it compiles

mirt_status get_tactics(const mirt_node_info* node, mirt_tactic_info* out_tactics, uint32_t capacity,
                        uint32_t* out_count) {
  if (node == nullptr || out_count == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, EXAMPLE_BACKEND_NAME " backend: get_tactics needs a node and out_count");
  *out_count = 0;
  return guarded(where(*node), [&] {
    const std::string op = text(node->op_type);
    bool known = false;
    std::string why;
    uint32_t count = 0;
    for (const tactic& t : all_tactics()) {
      if (!standard_domain(*node) || op != t.op_type) continue;
      known = true;
      const std::string reason = t.check(*node);
      if (!reason.empty()) {
        why = reason;
        continue;
      }
      if (out_tactics != nullptr && count < capacity) {
        out_tactics[count].id = t.id;
        std::memset(out_tactics[count].name, 0, sizeof(out_tactics[count].name));
        std::strncpy(out_tactics[count].name, t.name, sizeof(out_tactics[count].name) - 1);
      }
      ++count;
    }
    if (!known)
      throw backend_error(MIRT_STATUS_UNSUPPORTED, "op '" + op + "'" +
                                                       (standard_domain(*node) ? "" : " of domain '" + text(node->domain) + "'") +
                                                       " is not one of this backend's ops (it has " + op_list() + ")");
    if (count == 0) throw backend_error(MIRT_STATUS_UNSUPPORTED, why);
    *out_count = count;
  });
}

mirt_status kernel_create(const mirt_node_info* node, uint64_t tactic_id, mirt_kernel** out_kernel) {
  if (node == nullptr || out_kernel == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, EXAMPLE_BACKEND_NAME " backend: kernel_create needs a node and out_kernel");
  return guarded(where(*node), [&] {
    for (const tactic& t : all_tactics()) {
      if (t.id != tactic_id || text(node->op_type) != t.op_type) continue;
      const std::string why = t.check(*node);
      if (!why.empty()) throw backend_error(MIRT_STATUS_UNSUPPORTED, std::string("tactic ") + t.name + ": " + why);
      auto k = std::make_unique<mirt_kernel>();
      k->impl = t.create(*node);
      k->where = where(*node);
      *out_kernel = k.release();
      return;
    }
    throw backend_error(MIRT_STATUS_NOT_FOUND, "tactic id " + std::to_string(tactic_id) + " is not a tactic of op '" +
                                                   text(node->op_type) +
                                                   "' in this version of the backend; rebuild the plan");
  });
}

// Asked once per context at the profile's largest shapes. A failure here is logged; the run
// itself then reports it with the layer's name.
size_t kernel_workspace_size(const mirt_kernel* k, const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) {
  if (k == nullptr || inputs == nullptr) return 0;
  try {
    return k->impl->workspace_size(inputs, outputs);
  } catch (const std::exception& e) {
    if (g_host->log != nullptr)
      g_host->log(MIRT_LOG_LEVEL_WARNING, EXAMPLE_BACKEND_NAME, (k->where + ": workspace size unknown: " + e.what()).c_str());
    return 0;
  }
}

mirt_status kernel_execute(const mirt_kernel* k, const mirt_kernel_io* io) {
  if (k == nullptr || io == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, EXAMPLE_BACKEND_NAME " backend: kernel_execute needs a kernel and io");
  return guarded(k->where, [&] {
    for (size_t i = 0; i < io->num_outputs; ++i)
      if (io->output_data[i] == nullptr && element_count(io->outputs[i]) > 0)
        throw backend_error(MIRT_STATUS_INVALID_ARGUMENT, "output " + std::to_string(i) + " has no buffer");
    k->impl->run(*io);
  });
}

void kernel_destroy(mirt_kernel* k) { delete k; }

// Host memory: this backend's "device" is the CPU, so I/O buffers are ordinary host memory.
mirt_status memory_alloc(size_t size, void** out_ptr) {
  if (out_ptr == nullptr) return make_status(MIRT_STATUS_INVALID_ARGUMENT, EXAMPLE_BACKEND_NAME " backend: memory_alloc needs out_ptr");
  const size_t rounded = size == 0 ? 64 : (size + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr)
    return make_status(MIRT_STATUS_OUT_OF_MEMORY,
                       EXAMPLE_BACKEND_NAME " backend: cannot allocate " + std::to_string(size) + " bytes");
  *out_ptr = p;
  return nullptr;
}

void memory_free(void* ptr) { std::free(ptr); }

mirt_status memory_copy(void* dst, const void* src, size_t size, mirt_copy_kind, void*) {
  if (size == 0) return nullptr;
  if (dst == nullptr || src == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, EXAMPLE_BACKEND_NAME " backend: memory_copy with a NULL pointer");
  std::memmove(dst, src, size);
  return nullptr;
}

const mirt_backend_vtable k_vtable = {
    sizeof(mirt_backend_vtable),
    device_signature,
    get_tactics,
    kernel_create,
    kernel_workspace_size,
    kernel_execute,
    kernel_destroy,
    memory_alloc,
    memory_free,
    memory_copy,
    nullptr,  // stream_synchronize: kernels finish before kernel_execute returns
    MIRT_TENSOR_LOCATION_HOST,
};

const mirt_module_desc k_desc = {
    sizeof(mirt_module_desc),
    EXAMPLE_ABI_VERSION,
    EXAMPLE_BACKEND_NAME,
    "0.1.0",
    MIRT_MODULE_KIND_BACKEND,
    "example backend built outside the mirt tree: float32 Add, Mul, Relu, MatMul (2 tactics), Gemm, Softmax",
    nullptr,  // score: the default (1); name the backend to use it
    &k_vtable,
};

}  // namespace
}  // namespace example

// The module's one export. It answers with its descriptor even when host_abi_version differs from
// the ABI it was built for: mirt then compares the two and refuses the module with a message that
// names both versions. The host table is kept only when the versions match.
extern "C" MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  if (host == nullptr) return nullptr;
  if (host_abi_version == EXAMPLE_ABI_VERSION) {
    if (host->struct_size < offsetof(mirt_host_api, log) + sizeof(host->log) || host->status_create == nullptr)
      return nullptr;  // a host without statuses could not be told about any failure
    example::g_host = host;
  }
  return &example::k_desc;
}
