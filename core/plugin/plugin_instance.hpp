// core/plugin/plugin_instance.hpp — one plugin object (mirt_plugin) as the core uses it: every call
// checked (null tables, escaping exceptions, answers that contradict the graph) and turned into a
// status that names the layer and the plugin.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/graph/op_schema.hpp"
#include "core/plugin/plugin_registry.hpp"
#include "core/runtime/backend.hpp"

namespace mirt {

using mirt_plugin_shape_exprs_fn = decltype(mirt_plugin_build_vtable::get_output_shape_exprs);

class plugin_instance : public std::enable_shared_from_this<plugin_instance> {
 public:
  // Checks fields against the creator's field list, then creates the plugin object.
  static result<std::shared_ptr<plugin_instance>> create(const plugin_creator_record& record,
                                                         const attribute_map& fields, const std::string& layer);
  ~plugin_instance();
  plugin_instance(const plugin_instance&) = delete;
  plugin_instance& operator=(const plugin_instance&) = delete;

  const plugin_creator_record& record() const { return *record_; }
  // "layer 'x' (plugin com.example::Op version 1)"
  std::string where() const;

  // Output count, dtypes and shapes for the inputs in ctx; checks the answers against the layer.
  status infer(infer_context& ctx) const;
  bool supports(const std::vector<mirt_dtype>& inputs, const std::vector<mirt_dtype>& outputs) const;
  result<size_t> workspace_size(const std::vector<mirt_tensor_desc>& inputs,
                                const std::vector<mirt_tensor_desc>& outputs) const;
  status configure(const std::vector<mirt_tensor_desc>& inputs, const std::vector<mirt_tensor_desc>& outputs);
  // The fields the plugin wants recorded in the plan.
  result<std::vector<attribute>> serialize_fields() const;

  result<std::vector<mirt_tactic_info>> tactics(const std::string& backend, const mirt_node_info* node) const;
  // The kernel keeps this plugin object alive.
  result<std::unique_ptr<kernel>> create_kernel(const std::string& backend, const mirt_node_info* node,
                                                uint64_t tactic) const;

 private:
  friend size_t plugin_default_outputs(const node& n);
  plugin_instance() = default;
  // Runs one call into the plugin; an escaping exception becomes MODULE_ERROR naming `what`.
  template <class F>
  status guarded(const char* what, F&& call) const;
  // The build table's get_output_shape_exprs (NULL where the table predates it), or nullptr.
  mirt_plugin_shape_exprs_fn shape_exprs() const;
  // infer's output shapes from the plugin's dim expressions.
  status infer_from_exprs(infer_context& ctx, const std::vector<mirt_tensor_desc>& in_descs,
                          const std::vector<mirt_dtype>& out_dtypes) const;

  const plugin_creator_record* record_ = nullptr;
  mirt_plugin plugin_{};
  std::string layer_;
};

// The kernels of one plugin layer on one backend: what select_kernels and the engine ask for tactics
// and kernels, in place of the backend.
class plugin_kernel_source final : public kernel_source {
 public:
  plugin_kernel_source(std::shared_ptr<plugin_instance> plugin, std::string backend)
      : plugin_(std::move(plugin)), backend_(std::move(backend)) {}
  result<std::vector<mirt_tactic_info>> tactics(const mirt_node_info* node) const override {
    return plugin_->tactics(backend_, node);
  }
  result<std::unique_ptr<kernel>> create_kernel(const mirt_node_info* node, uint64_t tactic) const override {
    return plugin_->create_kernel(backend_, node, tactic);
  }
  plugin_instance& plugin() const { return *plugin_; }

 private:
  std::shared_ptr<plugin_instance> plugin_;
  std::string backend_;
};

// The kernels of plugin layer n on backend (nullptr for core ops). NOT_FOUND when n's plugin is
// not registered; errors of the plugin's creator name the layer.
result<std::unique_ptr<plugin_kernel_source>> plugin_kernels_of(const node& n, const std::string& backend);

// The output count of plugin layer n whose layer desc gives none: the plugin's own answer, or 1
// when the plugin cannot be created from n's fields (validation then says why).
size_t plugin_default_outputs(const node& n);

// The op schema of node n: the standard table's, else a registered plugin creator's (looked up by
// domain, op type and n.version), else nullptr.
const op_schema* find_op_schema(const node& n);
// The plugin creator of node n, or nullptr for core ops and ops nobody supplies.
const plugin_creator_record* find_plugin_creator(const node& n);

}  // namespace mirt
