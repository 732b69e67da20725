// backends/support/backend_glue.hpp — the kernel half of a backend vtable (get_tactics,
// kernel_create, kernel_workspace_size, kernel_execute, kernel_destroy), written once for every
// backend. A backend supplies a traits type:
//
//   struct traits {
//     static constexpr const char* name;                    // "cpu": used in every message
//     using kernel = kernel_base<exec_args>;
//     using exec_args = ...;                                // in, out, workspace, workspace_size
//     static const std::vector<op_entry<kernel>>& ops();    // the op table
//     static void require_device();                         // throws when the device is unusable
//     static void bind_stream(exec_args&, void* stream);    // device backends keep the stream
//   };
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "backends/support/kernel.hpp"
#include "mirt/backend.h"

namespace mirt::support {

template <class Traits>
struct backend_glue {
  using kernel = typename Traits::kernel;
  using exec_args = typename Traits::exec_args;

  // The opaque mirt_kernel: the op's kernel plus the names that error messages need.
  struct handle {
    std::unique_ptr<kernel> impl;
    std::string layer;
    std::string op_type;
    size_t num_inputs = 0, num_outputs = 0;  // kernel_workspace_size gets bare arrays
  };
  static handle* of(mirt_kernel* k) { return reinterpret_cast<handle*>(k); }
  static const handle* of(const mirt_kernel* k) { return reinterpret_cast<const handle*>(k); }

  static std::string where(const node_view& node) {
    return cat(Traits::name, " backend: layer '", node.name(), "' (", node.op_type(), ")");
  }

  static mirt_status get_tactics(const mirt_node_info* info, mirt_tactic_info* out_tactics, uint32_t capacity,
                                 uint32_t* out_count) {
    if (info == nullptr || out_count == nullptr)
      return make_status(MIRT_STATUS_INVALID_ARGUMENT, cat(Traits::name, " backend: get_tactics needs a node and out_count"));
    *out_count = 0;
    const node_view node(*info);
    uint32_t count = 0;
    mirt_status st = guarded(where(node), [&] {
      Traits::require_device();
      std::string why;
      // The "mirt" domain holds the builder's fused ops (mirt::FusedConv); their names are no ONNX op's.
      // "ai.onnx.ml" ops (Binarizer, ...) and "ai.onnx.preview" ops (FlexAttention) share no name with it either.
      const std::string_view domain = view_of(info->domain);
      if (standard_domain(*info) || domain == "mirt" || domain == "ai.onnx.ml" || domain == "ai.onnx.preview") {
        for (const op_entry<kernel>* e : find_ops(Traits::ops(), node.op_type())) {
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
        fail(MIRT_STATUS_UNSUPPORTED, "op '", node.op_type(), "' with dtype ",
             info->num_inputs > 0 ? dtype_name(info->inputs[0].dtype) : "none", " is not supported by the ",
             Traits::name, " backend", why.empty() ? "" : " (" + why + ")");
    });
    if (st == nullptr) *out_count = count;
    return st;
  }

  static mirt_status kernel_create(const mirt_node_info* info, uint64_t tactic, mirt_kernel** out_kernel) {
    if (info == nullptr || out_kernel == nullptr)
      return make_status(MIRT_STATUS_INVALID_ARGUMENT, cat(Traits::name, " backend: kernel_create needs a node and out_kernel"));
    const node_view node(*info);
    return guarded(where(node), [&] {
      Traits::require_device();
      for (const op_entry<kernel>* e : find_ops(Traits::ops(), node.op_type())) {
        if (tactic_id(e->tactic) != tactic) continue;
        std::string why;
        if (!e->supports(node, why)) fail(MIRT_STATUS_UNSUPPORTED, "tactic '", e->tactic, "' cannot run it: ", why);
        auto h = std::make_unique<handle>();
        h->impl = e->create(node);
        h->layer = node.name();
        h->op_type = node.op_type();
        h->num_inputs = info->num_inputs;
        h->num_outputs = info->num_outputs;
        *out_kernel = reinterpret_cast<mirt_kernel*>(h.release());
        return;
      }
      fail(MIRT_STATUS_NOT_FOUND, "tactic id ", tactic, " is not a ", Traits::name, " tactic of op '", node.op_type(),
           "'; rebuild the plan with this backend version");
    });
  }

  // Sizes the context's workspace (at the profile's max shapes); kernels may warm their caches for
  // those shapes. Failures are logged, not reported: execute() reports them with the layer name.
  static size_t kernel_workspace_size(const mirt_kernel* k, const mirt_tensor_desc* inputs,
                                      const mirt_tensor_desc* outputs) {
    if (k == nullptr) return 0;
    const handle* h = of(k);
    try {
      std::vector<dims> in, out;
      for (size_t i = 0; i < h->num_inputs; ++i)
        in.push_back(inputs != nullptr && inputs[i].dtype != MIRT_DTYPE_UNDEFINED ? to_dims(inputs[i]) : dims());
      for (size_t i = 0; i < h->num_outputs; ++i) out.push_back(outputs != nullptr ? to_dims(outputs[i]) : dims());
      return h->impl->workspace_size(in, out);
    } catch (const std::exception& e) {
      const mirt_host_api* host = host_api();
      if (host && host->log)
        host->log(MIRT_LOG_LEVEL_WARNING, Traits::name,
                  cat("layer '", h->layer, "': workspace size unknown: ", e.what()).c_str());
      return 0;
    } catch (...) {
      return 0;
    }
  }

  // The desc says whether the graph gives the tensor (an omitted optional input has dtype UNDEFINED);
  // the address does not: a tensor with no elements may have a NULL one and is still present.
  static tensor to_tensor(const mirt_tensor_desc& desc, const void* data) {
    tensor t;
    t.dtype = desc.dtype;
    t.shape = to_dims(desc);
    t.data = const_cast<void*>(data);
    return t;
  }

  static mirt_status kernel_execute(const mirt_kernel* k, const mirt_kernel_io* io) {
    if (k == nullptr || io == nullptr)
      return make_status(MIRT_STATUS_INVALID_ARGUMENT, cat(Traits::name, " backend: kernel_execute needs a kernel and io"));
    const handle* h = of(k);
    return guarded_with([h] { return cat(Traits::name, " backend: layer '", h->layer, "' (", h->op_type, ")"); }, [&] {
      exec_args args;
      args.in.reserve(io->num_inputs);
      for (size_t i = 0; i < io->num_inputs; ++i) args.in.push_back(to_tensor(io->inputs[i], io->input_data[i]));
      args.out.reserve(io->num_outputs);
      for (size_t i = 0; i < io->num_outputs; ++i) args.out.push_back(to_tensor(io->outputs[i], io->output_data[i]));
      args.workspace = io->workspace;
      args.workspace_size = io->workspace_size;
      // Data-dependent outputs: a backend whose exec_args takes allocate_output gets the host's.
      if constexpr (requires { args.allocate_output; }) {
        if (io->struct_size >= offsetof(mirt_kernel_io, allocator) + sizeof(io->allocator) && io->allocate_output)
          args.allocate_output = [io](size_t i, const dims& shape) { return allocate_output(io, i, shape); };
      }
      Traits::bind_stream(args, io->stream);
      h->impl->execute(args);
    });
  }

  static void kernel_destroy(mirt_kernel* k) { delete of(k); }

  // Output i's buffer at its computed shape from the host; a failure the host reports is thrown.
  static void* allocate_output(const mirt_kernel_io* io, size_t i, const dims& shape) {
    void* data = nullptr;
    mirt_status st = io->allocate_output(io->allocator, i, static_cast<uint32_t>(shape.size()), shape.data(), &data);
    if (st != nullptr) {
      const mirt_host_api* host = host_api();
      const mirt_status_code code = host->status_get_code(st);
      const std::string message = host->status_get_message(st);
      host->status_destroy(st);
      fail(code, message);
    }
    return data;
  }
};

}  // namespace mirt::support
