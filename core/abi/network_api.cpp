// core/abi/network_api.cpp — the C ABI of mirt/network.h over mirt::graph.
#include <cstring>

#include "core/abi/body_api.hpp"
#include "core/abi/handles.hpp"
#include "core/base/c_status.hpp"
#include "core/graph/control_flow.hpp"
#include "core/graph/op_schema.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/plugin/plugin_instance.hpp"

using mirt::cat;
using mirt::to_c_status;
using mirt::to_view;

mirt_tensor* mirt_network::handle_of(int index) {
  while (handles.size() <= static_cast<size_t>(index)) handles.push_back({this, static_cast<int>(handles.size())});
  return &handles[index];
}

namespace {

mirt_status invalid(const std::string& message) { return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, message}); }

// Checks a name is free and the dims are sane, for inputs and constants.
mirt_status check_new_tensor(const mirt_network* network, std::string_view name, mirt_dtype dtype, size_t rank,
                             const int64_t* dims, const char* what) {
  if (!network) return invalid(cat(what, ": network is NULL"));
  if (name.empty()) return invalid(cat(what, ": the name is empty"));
  if (network->graph.has_name(name))
    return to_c_status({MIRT_STATUS_ALREADY_EXISTS, cat(what, " '", name, "': a tensor of that name exists")});
  if (mirt_dtype_size(dtype) == 0)
    return invalid(cat(what, " '", name, "': dtype ", static_cast<int>(dtype), " is not a mirt_dtype"));
  if (rank > MIRT_MAX_RANK) return invalid(cat(what, " '", name, "': rank ", rank, " exceeds ", MIRT_MAX_RANK));
  if (rank > 0 && !dims) return invalid(cat(what, " '", name, "': dims is NULL for rank ", rank));
  for (size_t i = 0; i < rank; ++i)
    if (dims[i] < MIRT_DYNAMIC_DIM)
      return invalid(cat(what, " '", name, "': dim ", i, " is ", dims[i], ", expected >= 0 or -1 (dynamic)"));
  return nullptr;
}

// The type mirt_network_infer_types found for a layer output, or NULL.
const mirt::tensor_type* inferred_type(const mirt_tensor* tensor) {
  const std::vector<mirt::tensor_type>& inferred = tensor->network->inferred;
  return static_cast<size_t>(tensor->index) < inferred.size() ? &inferred[tensor->index] : nullptr;
}

mirt::attribute to_attribute(const mirt_attribute& a) {
  mirt::attribute out;
  out.name = std::string(to_view(a.name));
  out.type = a.type;
  switch (a.type) {
    case MIRT_ATTRIBUTE_TYPE_INT:
    case MIRT_ATTRIBUTE_TYPE_INTS:
      if (a.ints) out.ints.assign(a.ints, a.ints + a.count);
      break;
    case MIRT_ATTRIBUTE_TYPE_FLOAT:
    case MIRT_ATTRIBUTE_TYPE_FLOATS:
      if (a.floats) out.floats.assign(a.floats, a.floats + a.count);
      break;
    case MIRT_ATTRIBUTE_TYPE_STRING:
    case MIRT_ATTRIBUTE_TYPE_STRINGS:
      for (size_t i = 0; a.strings && i < a.count; ++i) out.strings.emplace_back(to_view(a.strings[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

extern "C" {

MIRT_EXPORT mirt_status mirt_network_create(const mirt_network_options* options, mirt_network** out_network) {
  MIRT_C_GUARD_BEGIN
  if (!out_network) return invalid("mirt_network_create: out_network is NULL");
  auto network = std::make_unique<mirt_network>();
  if (options && options->struct_size >= offsetof(mirt_network_options, name) + sizeof(options->name))
    network->graph.name = std::string(to_view(options->name));
  *out_network = network.release();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT void mirt_network_destroy(mirt_network* network) { delete network; }

MIRT_EXPORT mirt_status mirt_network_add_input(mirt_network* network, mirt_string_view name, mirt_dtype dtype,
                                               size_t rank, const int64_t* dims, const mirt_string_view* dim_names,
                                               mirt_tensor** out_tensor) {
  MIRT_C_GUARD_BEGIN
  if (mirt_status s = check_new_tensor(network, to_view(name), dtype, rank, dims, "input")) return s;
  mirt::tensor t;
  t.name = std::string(to_view(name));
  t.dtype = dtype;
  t.rank_known = true;
  t.is_input = true;
  for (size_t i = 0; i < rank; ++i) {
    mirt::dim d{dims[i], {}};
    if (dim_names) d.symbol = std::string(to_view(dim_names[i]));
    if (d.known()) d.symbol.clear();
    t.shape.push_back(std::move(d));
  }
  int index = network->graph.add_tensor(std::move(t));
  network->graph.inputs.push_back(index);
  if (out_tensor) *out_tensor = network->handle_of(index);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_network_add_constant(mirt_network* network, mirt_string_view name, mirt_dtype dtype,
                                                  size_t rank, const int64_t* dims, const void* data,
                                                  size_t data_size, mirt_tensor** out_tensor) {
  MIRT_C_GUARD_BEGIN
  if (mirt_status s = check_new_tensor(network, to_view(name), dtype, rank, dims, "constant")) return s;
  std::vector<int64_t> extents(dims, dims + rank);
  int64_t count = mirt::element_count(extents);
  if (count < 0) return invalid(cat("constant '", to_view(name), "': dims must all be known, got ", mirt::to_string(extents)));
  size_t expected = static_cast<size_t>(count) * mirt_dtype_size(dtype);
  if (data_size != expected)
    return invalid(cat("constant '", to_view(name), "': data_size is ", data_size, " bytes, expected ", expected,
                       " (", mirt::to_string(extents), " x ", mirt_dtype_name(dtype), ")"));
  if (expected > 0 && !data) return invalid(cat("constant '", to_view(name), "': data is NULL"));
  mirt::tensor t;
  t.name = std::string(to_view(name));
  t.dtype = dtype;
  t.shape = mirt::make_dims(extents);
  t.rank_known = true;
  t.constant = static_cast<int>(network->graph.constants.size());
  network->graph.constants.push_back(mirt::constant_buffer::copy_of(data, data_size));
  int index = network->graph.add_tensor(std::move(t));
  if (out_tensor) *out_tensor = network->handle_of(index);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_network_add_layer(mirt_network* network, const mirt_layer_desc* desc,
                                               mirt_tensor** out_outputs) {
  MIRT_C_GUARD_BEGIN
  if (!network || !desc) return invalid("mirt_network_add_layer: network and desc must not be NULL");
  if (desc->struct_size < offsetof(mirt_layer_desc, output_names) + sizeof(desc->output_names))
    return invalid(cat("mirt_network_add_layer: desc->struct_size is ", desc->struct_size,
                       "; initialize the desc with MIRT_LAYER_DESC_INIT"));
  mirt::graph& g = network->graph;
  mirt::node n;
  n.op_type = std::string(to_view(desc->op_type));
  n.domain = std::string(to_view(desc->domain));
  if (n.domain == "ai.onnx") n.domain.clear();
  if (n.op_type.empty()) return invalid("mirt_network_add_layer: op_type is empty");
  n.name = desc->name.length ? std::string(to_view(desc->name)) : g.unique_node_name(n.op_type);
  if (g.find_node(n.name) >= 0)
    return to_c_status({MIRT_STATUS_ALREADY_EXISTS, cat("layer '", n.name, "': a layer of that name exists")});

  for (size_t i = 0; i < desc->num_inputs; ++i) {
    mirt_tensor* in = desc->inputs ? desc->inputs[i] : nullptr;
    // A body's layer may read a tensor of a parent network: an outer-scope value (body_api.cpp).
    mirt::result<int> index = in ? mirt::resolve_input(network, in) : mirt::result<int>(-1);
    if (!index.ok())
      return to_c_status({index.error().code(), cat(n.op_type, " '", n.name, "': input ", i, ": ", index.error().message())});
    n.inputs.push_back(*index);
  }
  for (size_t i = 0; i < desc->num_attributes; ++i) n.attributes.set(to_attribute(desc->attributes[i]));
  if (mirt::status bodies = mirt::attach_bodies(network, desc, n); !bodies.ok()) return to_c_status(bodies);

  if (desc->struct_size >= offsetof(mirt_layer_desc, plugin_version) + sizeof(desc->plugin_version))
    n.version = std::string(to_view(desc->plugin_version));
  const mirt::op_schema* schema = mirt::find_op_schema(n);  // the standard set, else a registered plugin's
  if (!schema && mirt::is_standard_domain(n.domain))
    return to_c_status({MIRT_STATUS_INVALID_GRAPH,
                        cat("layer '", n.name, "': unknown op '", n.op_type,
                            "' in the standard domain; a plugin op needs its own domain")});
  size_t num_outputs = desc->num_outputs ? desc->num_outputs
                      : mirt::find_plugin_creator(n) ? mirt::plugin_default_outputs(n)
                      : schema                       ? static_cast<size_t>(schema->min_outputs)
                                                     : 1;
  std::vector<std::string> output_names;
  for (size_t o = 0; o < num_outputs; ++o) {
    std::string name = desc->output_names ? std::string(to_view(desc->output_names[o])) : std::string();
    if (name.empty()) name = g.unique_tensor_name(num_outputs == 1 ? n.name : cat(n.name, ":", o));
    if (g.has_name(name))
      return to_c_status({MIRT_STATUS_ALREADY_EXISTS,
                          cat(n.op_type, " '", n.name, "': output name '", name, "' is taken")});
    output_names.push_back(std::move(name));
  }
  for (size_t o = 0; o < num_outputs; ++o) n.outputs.push_back(static_cast<int>(g.tensors.size() + o));
  if (schema) {
    mirt::status valid = mirt::validate_node(*schema, n);
    if (valid.ok()) valid = mirt::check_bodies(n);  // control flow: the bodies fit the op and the layer
    if (!valid.ok()) return to_c_status(valid);
  }
  int node_index = static_cast<int>(g.nodes.size());
  for (size_t o = 0; o < num_outputs; ++o) {
    mirt::tensor t;
    t.name = output_names[o];
    t.producer = node_index;
    int index = g.add_tensor(std::move(t));
    if (out_outputs) out_outputs[o] = network->handle_of(index);
  }
  g.nodes.push_back(std::move(n));
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_network_mark_output(mirt_network* network, mirt_tensor* tensor) {
  MIRT_C_GUARD_BEGIN
  if (!network || !tensor) return invalid("mirt_network_mark_output: network and tensor must not be NULL");
  if (tensor->network != network) return invalid("mirt_network_mark_output: the tensor belongs to another network");
  mirt::tensor& t = network->graph.tensors[tensor->index];
  if (t.is_output) return nullptr;
  t.is_output = true;
  network->graph.outputs.push_back(tensor->index);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_network_find_tensor(const mirt_network* network, mirt_string_view name,
                                                 mirt_tensor** out_tensor) {
  MIRT_C_GUARD_BEGIN
  if (!network || !out_tensor) return invalid("mirt_network_find_tensor: network and out_tensor must not be NULL");
  int index = network->graph.find_tensor(to_view(name));
  if (index < 0)
    return to_c_status({MIRT_STATUS_NOT_FOUND, cat("no tensor named '", to_view(name), "' in the network")});
  *out_tensor = const_cast<mirt_network*>(network)->handle_of(index);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT size_t mirt_network_num_inputs(const mirt_network* network) {
  return network ? network->graph.inputs.size() : 0;
}
MIRT_EXPORT size_t mirt_network_num_outputs(const mirt_network* network) {
  return network ? network->graph.outputs.size() : 0;
}
MIRT_EXPORT size_t mirt_network_num_layers(const mirt_network* network) {
  return network ? network->graph.nodes.size() : 0;
}
MIRT_EXPORT mirt_tensor* mirt_network_get_input(const mirt_network* network, size_t index) {
  if (!network || index >= network->graph.inputs.size()) return nullptr;
  return const_cast<mirt_network*>(network)->handle_of(network->graph.inputs[index]);
}
MIRT_EXPORT mirt_tensor* mirt_network_get_output(const mirt_network* network, size_t index) {
  if (!network || index >= network->graph.outputs.size()) return nullptr;
  return const_cast<mirt_network*>(network)->handle_of(network->graph.outputs[index]);
}

MIRT_EXPORT mirt_string_view mirt_tensor_get_name(const mirt_tensor* tensor) {
  if (!tensor) return {nullptr, 0};
  const std::string& name = tensor->network->graph.tensors[tensor->index].name;
  return {name.data(), name.size()};
}

MIRT_EXPORT mirt_dtype mirt_tensor_get_dtype(const mirt_tensor* tensor) {
  if (!tensor) return MIRT_DTYPE_UNDEFINED;
  const mirt::tensor& t = tensor->network->graph.tensors[tensor->index];
  const mirt::tensor_type* inferred = t.dtype == MIRT_DTYPE_UNDEFINED ? inferred_type(tensor) : nullptr;
  return inferred ? inferred->dtype : t.dtype;
}

MIRT_EXPORT size_t mirt_tensor_get_dims(const mirt_tensor* tensor, int64_t* out_dims) {
  if (!tensor) return 0;
  const mirt::tensor& t = tensor->network->graph.tensors[tensor->index];
  const mirt::tensor_type* inferred = t.rank_known ? nullptr : inferred_type(tensor);
  if (!t.rank_known && !(inferred && inferred->rank_known)) return 0;
  const size_t rank = t.rank_known ? t.shape.size() : inferred->shape.size();
  for (size_t i = 0; out_dims && i < rank && i < MIRT_MAX_RANK; ++i)
    out_dims[i] = t.rank_known ? t.shape[i].value : inferred->shape[i].value;
  return rank;
}

MIRT_EXPORT mirt_status mirt_network_infer_types(mirt_network* network) {
  MIRT_C_GUARD_BEGIN
  if (!network) return invalid("mirt_network_infer_types: network is NULL");
  if (network->parent)
    return invalid("mirt_network_infer_types: the network is a control-flow body, whose input types come from the "
                   "layer that takes it; infer its top-level network");
  network->inferred.clear();
  mirt::result<std::vector<int>> order = mirt::topological_order(network->graph);
  if (!order.ok()) return to_c_status(order.error());
  mirt::result<std::vector<mirt::tensor_type>> types = mirt::infer_types(network->graph, *order);
  if (!types.ok()) return to_c_status(types.error());
  network->inferred = std::move(*types);
  return nullptr;
  MIRT_C_GUARD_END
}

}  // extern "C"
