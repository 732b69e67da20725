// backends/cpu/module.cpp — the module entry point and the backend vtable; the only C edge.
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "backends/cpu/kernel.hpp"
#include "mirt/backend.h"
#include "mirt/module.h"
#include "mirt/runtime.h"

// The opaque kernel handle: the op's kernel plus the names that error messages need.
struct mirt_kernel {
  std::unique_ptr<mirt::cpu::kernel> impl;
  std::string layer;
  std::string op_type;
  size_t num_inputs = 0, num_outputs = 0;
};

namespace mirt::cpu {
namespace {

std::string where(const node_view& node) { return cat("cpu backend: layer '", node.name(), "' (", node.op_type(), ")"); }

// One catch per export: turns any escaping failure into a status that names the layer. The
// context is a callable so that the hot path (kernel_execute) formats nothing unless it fails.
template <class Context, class F>
mirt_status guarded_with(Context&& context, F&& body) {
  try {
    body();
    return nullptr;
  } catch (const error& e) {
    return make_status(e.code(), context() + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return make_status(MIRT_STATUS_OUT_OF_MEMORY, context() + ": out of host memory");
  } catch (const std::exception& e) {
    return make_status(MIRT_STATUS_INTERNAL, context() + ": " + e.what());
  } catch (...) {
    return make_status(MIRT_STATUS_INTERNAL, context() + ": unknown failure");
  }
}

template <class F>
mirt_status guarded(const std::string& context_on_error, F&& body) {
  return guarded_with([&] { return context_on_error; }, std::forward<F>(body));
}

const char* device_signature() {
#if defined(__x86_64__) || defined(_M_X64)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

bool standard_domain(const node_view& node, const mirt_node_info& info) {
  (void)node;
  const std::string_view d = view_of(info.domain);
  return d.empty() || d == "ai.onnx";
}

const char* first_dtype_name(const mirt_node_info& info) {
  return info.num_inputs > 0 ? dtype_name(info.inputs[0].dtype) : "none";
}

mirt_status get_tactics(const mirt_node_info* info, mirt_tactic_info* out_tactics, uint32_t capacity,
                        uint32_t* out_count) {
  if (info == nullptr || out_count == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cpu backend: get_tactics needs a node and out_count");
  *out_count = 0;
  const node_view node(*info);
  uint32_t count = 0;
  mirt_status st = guarded(where(node), [&] {
    std::string why;
    if (standard_domain(node, *info)) {
      for (const op_entry* e : find_ops(node.op_type())) {
        std::string reason;
        if (!e->supports(node, reason)) {
          why = reason;
          continue;
        }
        if (count < capacity && out_tactics != nullptr) {
          mirt_tactic_info& t = out_tactics[count];
          t.id = tactic_id(e->tactic);
          std::memset(t.name, 0, sizeof(t.name));
          std::strncpy(t.name, e->tactic, sizeof(t.name) - 1);
        }
        ++count;
      }
    }
    if (count == 0)
      fail(MIRT_STATUS_UNSUPPORTED, "op '", node.op_type(), "' with dtype ", first_dtype_name(*info),
           " is not supported by the cpu backend", why.empty() ? "" : " (" + why + ")");
  });
  if (st == nullptr) *out_count = count;
  return st;
}

mirt_status kernel_create(const mirt_node_info* info, uint64_t tactic, mirt_kernel** out_kernel) {
  if (info == nullptr || out_kernel == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cpu backend: kernel_create needs a node and out_kernel");
  const node_view node(*info);
  return guarded(where(node), [&] {
    for (const op_entry* e : find_ops(node.op_type())) {
      if (tactic_id(e->tactic) != tactic) continue;
      std::string why;
      if (!e->supports(node, why)) fail(MIRT_STATUS_UNSUPPORTED, "tactic '", e->tactic, "' cannot run it: ", why);
      auto k = std::make_unique<mirt_kernel>();
      k->impl = e->create(node);
      k->layer = node.name();
      k->op_type = node.op_type();
      k->num_inputs = info->num_inputs;
      k->num_outputs = info->num_outputs;
      *out_kernel = k.release();
      return;
    }
    fail(MIRT_STATUS_NOT_FOUND, "tactic id ", tactic, " is not a cpu tactic of op '", node.op_type(),
         "'; rebuild the plan with this backend version");
  });
}

tensor to_tensor(const mirt_tensor_desc& desc, const void* data) {
  tensor t;
  t.dtype = data != nullptr ? desc.dtype : MIRT_DTYPE_UNDEFINED;
  t.shape = to_dims(desc);
  t.data = const_cast<void*>(data);
  return t;
}

mirt_status kernel_execute(const mirt_kernel* k, const mirt_kernel_io* io) {
  if (k == nullptr || io == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cpu backend: kernel_execute needs a kernel and io");
  return guarded_with([k] { return cat("cpu backend: layer '", k->layer, "' (", k->op_type, ")"); }, [&] {
    exec_args args;
    args.in.reserve(io->num_inputs);
    for (size_t i = 0; i < io->num_inputs; ++i) args.in.push_back(to_tensor(io->inputs[i], io->input_data[i]));
    args.out.reserve(io->num_outputs);
    for (size_t i = 0; i < io->num_outputs; ++i) {
      args.out.push_back(to_tensor(io->outputs[i], io->output_data[i]));
      // An output may legitimately be empty (zero elements) with a NULL address.
      args.out.back().dtype = io->outputs[i].dtype;
    }
    args.workspace = io->workspace;
    args.workspace_size = io->workspace_size;
    k->impl->execute(args);
  });
}

// Sizes the context's workspace (at the profile's max shapes) and warms the kernel's primitive
// caches for them. Errors are not reported here: execute() reports them with the layer name.
size_t kernel_workspace_size(const mirt_kernel* k, const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) {
  if (k == nullptr) return 0;
  try {
    std::vector<dims> in, out;
    for (size_t i = 0; i < k->num_inputs; ++i)
      in.push_back(inputs != nullptr && inputs[i].dtype != MIRT_DTYPE_UNDEFINED ? to_dims(inputs[i]) : dims());
    for (size_t i = 0; i < k->num_outputs; ++i) out.push_back(outputs != nullptr ? to_dims(outputs[i]) : dims());
    return k->impl->workspace_size(in, out);
  } catch (...) {
    return 0;
  }
}

void kernel_destroy(mirt_kernel* k) { delete k; }

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
    get_tactics,
    kernel_create,
    kernel_workspace_size,
    kernel_execute,
    kernel_destroy,
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
