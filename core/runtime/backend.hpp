// core/runtime/backend.hpp — the core's view of a backend module: tactics, kernels, memory.
#pragma once

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
  static result<std::shared_ptr<backend>> acquire(const std::string& name);  // empty: best score

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  std::string device_signature() const { return vt_->device_signature ? vt_->device_signature() : ""; }
  mirt_tensor_location io_location() const { return vt_->io_location; }

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
  module_handle module_;
  const mirt_backend_vtable* vt_ = nullptr;
  std::string name_, version_;
};

}  // namespace mirt
