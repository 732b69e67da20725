// core/runtime/backend.hpp — the core's view of a backend module: tactics, kernels, memory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/graph/graph.hpp"
#include "core/graph/op_schema.hpp"
#include "core/registry/registry.hpp"
#include "mirt/backend.h"

namespace mirt {

// mirt_node_info for one node, owning the arrays it points to.
class node_view {
 public:
  // types: one per tensor of g (build-time or concrete). constant_data is read from g.constants.
  node_view(const graph& g, const node& n, const std::vector<tensor_type>& types, uint32_t precision_flags);
  node_view(const node_view&) = delete;
  node_view& operator=(const node_view&) = delete;

  const mirt_node_info* info() const { return &info_; }

 private:
  mirt_node_info info_{};
  std::vector<mirt_tensor_desc> inputs_, outputs_;
  std::vector<const void*> constants_;
  std::vector<mirt_attribute> attributes_;
  std::vector<std::vector<mirt_string_view>> strings_;
};

mirt_tensor_desc to_desc(const tensor_type& t);
size_t byte_size(const mirt_tensor_desc& d);

// The kernel half of a table: the same functions in mirt_backend_vtable and mirt_plugin_runtime_vtable.
struct kernel_functions {
  size_t (*workspace_size)(const mirt_kernel*, const mirt_tensor_desc*, const mirt_tensor_desc*) = nullptr;
  mirt_status (*execute)(const mirt_kernel*, const mirt_kernel_io*) = nullptr;
  void (*destroy)(mirt_kernel*) = nullptr;
};

// A kernel made by a backend or a plugin; destroyed through its maker, which `owner` keeps alive.
class kernel {
 public:
  kernel(std::shared_ptr<const void> owner, kernel_functions fns, mirt_kernel* k)
      : owner_(std::move(owner)), fns_(fns), k_(k) {}
  kernel(module_handle module, const mirt_backend_vtable* vt, mirt_kernel* k)
      : kernel(std::move(module), {vt->kernel_workspace_size, vt->kernel_execute, vt->kernel_destroy}, k) {}
  ~kernel() { if (k_ && fns_.destroy) fns_.destroy(k_); }
  kernel(const kernel&) = delete;
  kernel& operator=(const kernel&) = delete;

  size_t workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) const;
  status execute(const mirt_kernel_io& io, const std::string& layer) const;

 private:
  std::shared_ptr<const void> owner_;
  kernel_functions fns_;
  mirt_kernel* k_;
};

// Where a layer's tactics and kernels come from: the target backend, or a plugin.
class kernel_source {
 public:
  virtual ~kernel_source() = default;
  virtual result<std::vector<mirt_tactic_info>> tactics(const mirt_node_info* node) const = 0;
  virtual result<std::unique_ptr<kernel>> create_kernel(const mirt_node_info* node, uint64_t tactic) const = 0;
};

// A loaded backend module.
class backend final : public kernel_source {
 public:
  // Empty name: the best score. device: the device every call through the object uses.
  static result<std::shared_ptr<backend>> acquire(const std::string& name, int32_t device = 0);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  // Of the selected device.
  std::string device_signature() const {
    (void)use_device();  // a failure shows at the next call that needs the device
    return vt_->device_signature ? vt_->device_signature() : "";
  }
  mirt_tensor_location io_location() const { return vt_->io_location; }

  // Device `id` for every later call through this object (validated now, on this thread).
  status select_device(int32_t id);
  int32_t device_id() const { return device_; }
  // Makes the selected device current on the calling thread (entry points call it first).
  status use_device() const;

  // The optional runtime controls of the appended vtable group; absent ones act as documented there.
  bool has_events() const { return has(offsetof(mirt_backend_vtable, event_record)) && vt_->event_record; }
  status record_event(void* event, void* stream) const;
  size_t persisting_cache_max() const;
  status set_persisting_window(void* stream, void* base, size_t size, size_t limit) const;
  bool has_ranges() const;
  void range_push(const char* name, void* stream) const { vt_->range_push(name, stream); }
  void range_pop(void* stream) const { vt_->range_pop(stream); }
  // 1: device memory, 0: not, -1: unknown (or a host backend).
  int32_t is_device_memory(const void* ptr) const;
  // Whether the backend measures calls by the device's clock (the table's time_calls).
  bool has_device_timer() const { return has(offsetof(mirt_backend_vtable, time_calls)) && vt_->time_calls; }
  // Device milliseconds per call of run, issued `calls` times back to back on stream.
  result<double> time_calls(const std::function<status()>& run, void* stream, int32_t calls) const;
  // Graph replay (the appended graph group, all four functions or none).
  bool has_graphs() const;
  status graph_record_begin(void* stream) const;
  // The executable graph of the recording (previous, updated in place, or a new one).
  result<void*> graph_record_end(void* stream, void* previous) const;
  status graph_launch(void* graph, void* stream) const;
  void graph_destroy(void* graph) const {
    if (graph) vt_->graph_destroy(graph);
  }

  result<std::vector<mirt_tactic_info>> tactics(const mirt_node_info* node) const override;
  result<std::unique_ptr<kernel>> create_kernel(const mirt_node_info* node, uint64_t tactic) const override;

  // Device memory freed by the returned owner.
  result<std::shared_ptr<void>> allocate(size_t bytes, const std::string& purpose) const;
  // Unowned device memory, for the public allocation calls.
  status allocate_raw(size_t bytes, void** out) const;
  void free_raw(void* ptr) const { if (ptr) vt_->memory_free(ptr); }
  status copy(void* dst, const void* src, size_t bytes, mirt_copy_kind kind, void* stream) const;
  status synchronize(void* stream) const;

 private:
  // Whether the module's table reaches the member at offset (the appended group is optional).
  bool has(size_t offset) const { return vt_->struct_size >= offset + sizeof(void*); }

  module_handle module_;
  const mirt_backend_vtable* vt_ = nullptr;
  std::string name_, version_;
  int32_t device_ = 0;
};

}  // namespace mirt
