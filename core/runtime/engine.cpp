// core/runtime/engine.cpp — plan bytes to a runnable engine.
#include "core/runtime/engine.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <new>

#include "core/base/buffers.hpp"
#include "core/graph/known_values.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plan/plan_reader.hpp"
#include "core/plugin/plugin_instance.hpp"
#include "core/runtime/control_flow_kernel.hpp"

namespace mirt {

int engine::find_io(std::string_view name) const {
  for (int t : io_)
    if (plan_.network.tensors[t].name == name) return t;
  return -1;
}

bool engine::is_shape_tensor(int t) const {
  for (const profile_input& in : plan_.profiles.front().inputs)
    if (in.tensor == t) return in.is_shape_tensor();
  return false;
}

result<const profile_memory*> engine::memory_of(uint32_t p) const {
  if (p >= memory_.size())
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "profile ", p, " does not exist; the plan has ", memory_.size());
  if (!memory_errors_[p].ok()) return memory_errors_[p];
  return &memory_[p];
}

bool engine::is_data_dependent(int t) const {
  return std::find(data_dependent_.begin(), data_dependent_.end(), t) != data_dependent_.end();
}

engine::~engine() {
  if (backend_) (void)backend_->use_device();
}

result<std::shared_ptr<const engine>> engine::load(const void* data, size_t size, int32_t device_id) {
  if (!data && size) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "plan data is NULL");
  auto e = std::make_shared<engine>();
  // Aligned copy, so constants (64-byte aligned inside the plan) stay aligned in memory.
  e->bytes_ = copy_aligned(data, size);
  MIRT_ASSIGN_OR_RETURN(e->plan_, read_plan(e->bytes_, size));
  const plan_model& plan = e->plan_;
  const graph& g = plan.network;

  result<std::shared_ptr<backend>> b = backend::acquire(plan.backend_name);
  if (!b.ok())
    return b.error().with_context(cat("the plan was built for backend '", plan.backend_name, "' ",
                                      plan.backend_version));
  e->backend_ = *b;
  MIRT_RETURN_IF_ERROR(e->backend_->select_device(device_id));
  std::string signature = e->backend_->device_signature();
  if (signature != plan.device_signature)
    return make_error(MIRT_STATUS_INCOMPATIBLE_VERSION, "the plan was built for device '", plan.device_signature,
                      "' but backend '", plan.backend_name, "' runs on '", signature, "' here; rebuild the plan");

  // Weights: used in place for host backends, copied once to device memory otherwise.
  e->constant_addresses_.resize(g.constants.size());
  if (e->backend_->io_location() == MIRT_TENSOR_LOCATION_HOST) {
    for (size_t c = 0; c < g.constants.size(); ++c) e->constant_addresses_[c] = g.constants[c].data();
  } else {
    size_t total = 0;
    std::vector<size_t> offsets;
    for (const constant_buffer& c : g.constants) {
      offsets.push_back(total);
      total += (c.size + 255) / 256 * 256;
    }
    MIRT_ASSIGN_OR_RETURN(e->device_weights_, e->backend_->allocate(total, "the plan's weights"));
    auto* base = static_cast<std::byte*>(e->device_weights_.get());
    for (size_t c = 0; c < g.constants.size(); ++c) {
      MIRT_RETURN_IF_ERROR(e->backend_->copy(base + offsets[c], g.constants[c].data(), g.constants[c].size,
                                             MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr));
      e->constant_addresses_[c] = base + offsets[c];
    }
    MIRT_RETURN_IF_ERROR(e->backend_->synchronize(nullptr));
  }

  e->declared_.resize(g.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    e->declared_[t].dtype = g.tensors[t].dtype;
    e->declared_[t].shape = g.tensors[t].shape;
    e->declared_[t].values = small_integer_values(g, g.tensors[t]);
  }
  // Plugin creators first (loading their libraries from the search folders if needed): plugin
  // layers' shapes and kernels come from them.
  for (const plugin_ref& p : plan.plugins) {
    MIRT_RETURN_IF_ERROR(
        plugin_registry::instance().find_for_plan(p.plugin_namespace, p.name, p.version, p.library).error());
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (!g.nodes[n].bodies.empty()) {  // If, Loop, Scan: run by the core (control_flow_kernel.cpp)
      MIRT_ASSIGN_OR_RETURN(std::unique_ptr<kernel> k, make_control_flow_kernel(g.nodes[n]));
      e->kernels_.push_back(std::move(k));
      continue;
    }
    node_view view(g, g.nodes[n], e->declared_, plan.precision_flags);
    MIRT_ASSIGN_OR_RETURN(std::unique_ptr<plugin_kernel_source> plugin, plugin_kernels_of(g.nodes[n], plan.backend_name));
    const kernel_source& source = plugin ? static_cast<const kernel_source&>(*plugin) : *e->backend_;
    MIRT_ASSIGN_OR_RETURN(std::unique_ptr<kernel> k, source.create_kernel(view.info(), plan.kernels[n].tactic_id));
    e->kernels_.push_back(std::move(k));
  }
  for (uint32_t p = 0; p < plan.profiles.size(); ++p) {
    result<profile_memory> m = measure_profile_memory(*e, p);
    e->memory_errors_.push_back(m.ok() ? status() : m.error());
    e->memory_.push_back(m.ok() ? std::move(m).value() : profile_memory{});
  }
  // A view of an input read in the input's buffer (memory_plan::input_aliases) reads the input too.
  std::vector<bool> reads_input(g.tensors.size(), false);
  for (size_t t = 0; t < g.tensors.size(); ++t) reads_input[t] = g.tensors[t].is_input;
  for (const plan_profile& p : plan.profiles)
    for (size_t t = 0; t < p.memory.input_aliases.size() && t < g.tensors.size(); ++t)
      if (p.memory.input_aliases[t] >= 0) reads_input[t] = true;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int t : g.nodes[n].inputs)
      if (t >= 0 && reads_input[t]) e->last_input_reader_ = static_cast<int>(n);
  // Outputs whose shapes no input shape or shape tensor value fixes (checked at profile 0's opt point).
  std::unordered_map<int, std::vector<int64_t>> opt_shapes;
  value_map opt_values;
  for (const profile_input& in : plan.profiles.front().inputs) {
    opt_shapes[in.tensor] = in.opt;
    if (in.is_shape_tensor()) opt_values[in.tensor] = in.opt_values;
  }
  std::vector<int> order(g.nodes.size());
  std::iota(order.begin(), order.end(), 0);
  if (result<std::vector<tensor_type>> at_opt = infer_types(g, order, opt_shapes, opt_values); at_opt.ok())
    for (int t : g.outputs)
      if (!shape_known((*at_opt)[t])) e->data_dependent_.push_back(t);
  e->io_ = g.inputs;
  e->io_.insert(e->io_.end(), g.outputs.begin(), g.outputs.end());
  return std::shared_ptr<const engine>(std::move(e));
}

}  // namespace mirt
