// backends/cuda/module.cpp — the module entry point and the backend vtable; the only C edge.
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "mirt/backend.h"
#include "mirt/module.h"

// The opaque kernel handle: the op's kernel plus the names that error messages need.
struct mirt_kernel {
  std::unique_ptr<mirt::cuda::kernel> impl;
  std::string layer;
  std::string op_type;
  size_t num_inputs = 0, num_outputs = 0;  // the node's counts: kernel_workspace_size gets bare arrays
};

namespace mirt::cuda {
namespace {

std::string where(const node_view& node) { return cat("cuda backend: layer '", node.name(), "' (", node.op_type(), ")"); }

// One catch per export: turns any escaping failure into a status that names the layer.
template <class F>
mirt_status guarded(const std::string& context_on_error, F&& body) {
  try {
    body();
    return nullptr;
  } catch (const error& e) {
    return make_status(e.code(), context_on_error + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return make_status(MIRT_STATUS_OUT_OF_MEMORY, context_on_error + ": out of host memory");
  } catch (const std::exception& e) {
    return make_status(MIRT_STATUS_INTERNAL, context_on_error + ": " + e.what());
  } catch (...) {
    return make_status(MIRT_STATUS_INTERNAL, context_on_error + ": unknown failure");
  }
}

const char* device_signature() { return probe_device().signature.c_str(); }

bool standard_domain(const mirt_node_info& info) {
  const std::string_view d = view_of(info.domain);
  return d.empty() || d == "ai.onnx";
}

const char* first_dtype_name(const mirt_node_info& info) {
  return info.num_inputs > 0 ? dtype_name(info.inputs[0].dtype) : "none";
}

mirt_status get_tactics(const mirt_node_info* info, mirt_tactic_info* out_tactics, uint32_t capacity,
                        uint32_t* out_count) {
  if (info == nullptr || out_count == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cuda backend: get_tactics needs a node and out_count");
  *out_count = 0;
  const node_view node(*info);
  uint32_t count = 0;
  mirt_status st = guarded(where(node), [&] {
    require_device();
    std::string why;
    if (standard_domain(*info)) {
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
           " is not supported by the cuda backend", why.empty() ? "" : " (" + why + ")");
  });
  if (st == nullptr) *out_count = count;
  return st;
}

mirt_status kernel_create(const mirt_node_info* info, uint64_t tactic, mirt_kernel** out_kernel) {
  if (info == nullptr || out_kernel == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cuda backend: kernel_create needs a node and out_kernel");
  const node_view node(*info);
  return guarded(where(node), [&] {
    require_device();
    for (const op_entry* e : find_ops(node.op_type())) {
      if (tactic_id(e->tactic) != tactic) continue;
      std::string why;
      if (!e->supports(node, why)) fail(MIRT_STATUS_UNSUPPORTED, "tactic '", e->tactic, "' cannot run it: ", why);
      auto k = std::make_unique<mirt_kernel>();
      k->impl = e->create(node);
      k->layer = node.name();
      k->op_type = node.op_type();
      k->num_inputs = node.num_inputs();
      k->num_outputs = node.num_outputs();
      *out_kernel = k.release();
      return;
    }
    fail(MIRT_STATUS_NOT_FOUND, "tactic id ", tactic, " is not a cuda tactic of op '", node.op_type(),
         "'; rebuild the plan with this backend version");
  });
}

dtensor to_tensor(const mirt_tensor_desc& desc, const void* data) {
  dtensor t;
  t.dtype = data != nullptr ? desc.dtype : MIRT_DTYPE_UNDEFINED;
  t.shape = to_dims(desc);
  t.data = const_cast<void*>(data);
  return t;
}

size_t kernel_workspace_size(const mirt_kernel* k, const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) {
  if (k == nullptr) return 0;
  // The vtable passes no counts; the kernel knows how many of each it was created with.
  try {
    std::vector<dims> in, out;
    for (size_t i = 0; inputs != nullptr && i < k->num_inputs; ++i) in.push_back(to_dims(inputs[i]));
    for (size_t i = 0; outputs != nullptr && i < k->num_outputs; ++i) out.push_back(to_dims(outputs[i]));
    return k->impl->workspace_size(in, out);
  } catch (const std::exception& e) {
    const mirt_host_api* host = host_api();
    if (host && host->log)
      host->log(MIRT_LOG_LEVEL_WARNING, "cuda", cat("layer '", k->layer, "': workspace size unknown: ", e.what()).c_str());
    return 0;
  } catch (...) {
    return 0;
  }
}

mirt_status kernel_execute(const mirt_kernel* k, const mirt_kernel_io* io) {
  if (k == nullptr || io == nullptr)
    return make_status(MIRT_STATUS_INVALID_ARGUMENT, "cuda backend: kernel_execute needs a kernel and io");
  return guarded(cat("cuda backend: layer '", k->layer, "' (", k->op_type, ")"), [&] {
    exec_args args;
    args.in.reserve(io->num_inputs);
    for (size_t i = 0; i < io->num_inputs; ++i) args.in.push_back(to_tensor(io->inputs[i], io->input_data[i]));
    args.out.reserve(io->num_outputs);
    for (size_t i = 0; i < io->num_outputs; ++i) {
      args.out.push_back(to_tensor(io->outputs[i], io->output_data[i]));
      args.out.back().dtype = io->outputs[i].dtype;  // an empty output may have a NULL address
    }
    args.workspace = io->workspace;
    args.workspace_size = io->workspace_size;
    args.stream = static_cast<cudaStream_t>(io->stream);
    k->impl->execute(args);
  });
}

void kernel_destroy(mirt_kernel* k) { delete k; }

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
    get_tactics,
    kernel_create,
    kernel_workspace_size,
    kernel_execute,
    kernel_destroy,
    memory_alloc,
    memory_free,
    memory_copy,
    stream_synchronize,
    MIRT_TENSOR_LOCATION_DEVICE,
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
