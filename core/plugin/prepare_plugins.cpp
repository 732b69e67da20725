// core/plugin/prepare_plugins.cpp — the build pass for plugin layers, run before kernels are chosen:
// pins each plugin layer to its creator's version, checks the plugin's shape answers at every
// profile point against its answer for the declared shapes, its dtypes and its workspace against
// the memory limit, configures it, and makes its serialized fields the layer's attributes (what the
// plan records and a runtime hands back to the creator).
#include "core/builder/build_state.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plugin/plugin_instance.hpp"

namespace mirt {

namespace {

const char* point_name(int which) { return which == 0 ? "min" : which == 1 ? "opt" : "max"; }

// The plugin's output at a profile point must keep the rank and the known dims of its answer for
// the declared shapes.
status check_consistent(const plugin_instance& p, const node& n, const std::vector<tensor_type>& declared,
                        const std::vector<tensor_type>& concrete, size_t profile, int which) {
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    const tensor_type& d = declared[n.outputs[o]];
    const tensor_type& c = concrete[n.outputs[o]];
    bool same = d.dtype == c.dtype && d.shape.size() == c.shape.size();
    for (size_t i = 0; same && i < d.shape.size(); ++i)
      if (d.shape[i].known() && d.shape[i].value != c.shape[i].value) same = false;
    if (!same)
      return make_error(MIRT_STATUS_INVALID_SHAPE, p.where(), ": output ", o, " is ", mirt_dtype_name(c.dtype), " ",
                        to_string(c.shape), " at the ", point_name(which), " shapes of profile ", profile,
                        ", which contradicts the plugin's answer for the declared shapes (", mirt_dtype_name(d.dtype),
                        " ", to_string(d.shape), ")");
  }
  return {};
}

std::vector<mirt_tensor_desc> descs(const std::vector<int>& tensors, const std::vector<tensor_type>& types) {
  std::vector<mirt_tensor_desc> out;
  for (int t : tensors) out.push_back(t >= 0 ? to_desc(types[t]) : mirt_tensor_desc{});
  return out;
}

std::vector<mirt_dtype> dtypes(const std::vector<int>& tensors, const std::vector<tensor_type>& types) {
  std::vector<mirt_dtype> out;
  for (int t : tensors) out.push_back(t >= 0 ? types[t].dtype : MIRT_DTYPE_UNDEFINED);
  return out;
}

status prepare_plugins(build_state& state) {
  std::vector<int> plugin_nodes;
  for (int index : state.order)
    if (find_plugin_creator(state.network.nodes[index])) plugin_nodes.push_back(index);
  if (plugin_nodes.empty()) return {};
  // Types at every profile point, computed once for all plugin layers.
  std::vector<std::array<std::vector<tensor_type>, 3>> points(state.profiles.size());
  for (size_t p = 0; p < state.profiles.size(); ++p)
    for (int which = 0; which < 3; ++which) {
      MIRT_ASSIGN_OR_RETURN(points[p][which], infer_types(state.network, state.order, state.profile_shapes(p, which)));
    }
  for (int index : plugin_nodes) {
    node& n = state.network.nodes[index];
    const plugin_creator_record* record = find_plugin_creator(n);
    n.version = record->version;
    MIRT_ASSIGN_OR_RETURN(std::shared_ptr<plugin_instance> plugin, plugin_instance::create(*record, n.attributes, n.name));
    for (size_t p = 0; p < points.size(); ++p)
      for (int which = 0; which < 3; ++which)
        MIRT_RETURN_IF_ERROR(check_consistent(*plugin, n, state.types, points[p][which], p, which));
    if (!plugin->supports(dtypes(n.inputs, state.types), dtypes(n.outputs, state.types))) {
      std::string ins, outs;
      for (mirt_dtype d : dtypes(n.inputs, state.types)) ins += (ins.empty() ? "" : ", ") + std::string(mirt_dtype_name(d));
      for (mirt_dtype d : dtypes(n.outputs, state.types)) outs += (outs.empty() ? "" : ", ") + std::string(mirt_dtype_name(d));
      return make_error(MIRT_STATUS_UNSUPPORTED, plugin->where(), ": the plugin does not support inputs (", ins,
                        ") with outputs (", outs, ")");
    }
    for (size_t p = 0; p < points.size(); ++p) {
      MIRT_ASSIGN_OR_RETURN(size_t bytes, plugin->workspace_size(descs(n.inputs, points[p][2]), descs(n.outputs, points[p][2])));
      const uint64_t limit = state.options.memory_limit_bytes;
      if (limit && bytes > limit)
        return make_error(MIRT_STATUS_OUT_OF_MEMORY, plugin->where(), ": the plugin asks for ", bytes,
                          " bytes of workspace at the max shapes of profile ", p, ", more than the memory limit of ",
                          limit, " bytes in the builder config");
    }
    MIRT_RETURN_IF_ERROR(plugin->configure(descs(n.inputs, state.types), descs(n.outputs, state.types)));
    MIRT_ASSIGN_OR_RETURN(std::vector<attribute> fields, plugin->serialize_fields());
    attribute_map serialized;
    for (attribute& a : fields) serialized.set(std::move(a));
    n.attributes = std::move(serialized);
    // The serialized fields must make a plugin again, as a runtime will ask.
    MIRT_RETURN_IF_ERROR(plugin_instance::create(*record, n.attributes, n.name).error(),
                         "the plugin's serialized fields are not accepted by its creator");
  }
  return {};
}

}  // namespace

pass make_prepare_plugins_pass() { return {"prepare plugins", prepare_plugins}; }

}  // namespace mirt
