// core/abi/body_api.cpp — bodies of control-flow layers in the network-definition C ABI: body
// networks, their formal inputs, outer-scope values (captures) and attaching bodies to a layer.
#include "core/abi/body_api.hpp"

#include <algorithm>

#include "core/base/c_status.hpp"
#include "core/graph/control_flow.hpp"

using mirt::cat;
using mirt::to_c_status;
using mirt::to_view;

namespace mirt {

namespace {

bool is_capture(const mirt_network* body, int index) {
  return std::find(body->captures.begin(), body->captures.end(), index) != body->captures.end();
}

// Adds (or finds) the capture of outer tensor `name` in body, first in each body between.
result<int> capture(mirt_network* body, const mirt_tensor* outer) {
  if (!body->parent)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "the tensor belongs to another network (not to one of this body's "
                                                 "parents)");
  int in_parent = 0;
  MIRT_ASSIGN_OR_RETURN(in_parent, resolve_input(body->parent, outer));
  const tensor& source = body->parent->graph.tensors[in_parent];
  int index = body->graph.find_tensor(source.name);
  if (index >= 0) {
    if (is_capture(body, index)) return index;
    return make_error(MIRT_STATUS_ALREADY_EXISTS, "outer-scope value '", source.name,
                      "' has the name of a tensor of the body; a body may not shadow an outer name");
  }
  tensor t;
  t.name = source.name;
  t.dtype = source.dtype;  // the layer's inference sets the final type
  t.is_input = true;
  index = body->graph.add_tensor(std::move(t));
  body->captures.push_back(index);
  return index;
}

}  // namespace

result<int> resolve_input(mirt_network* network, const mirt_tensor* t) {
  if (t->network == network) return t->index;
  for (const mirt_network* up = network->parent; up; up = up->parent)
    if (t->network == up) return capture(network, t);
  return make_error(MIRT_STATUS_INVALID_GRAPH, "the tensor belongs to another network");
}

status attach_bodies(mirt_network* network, const mirt_layer_desc* desc, node& n) {
  if (desc->struct_size < offsetof(mirt_layer_desc, bodies) + sizeof(desc->bodies) || desc->num_bodies == 0)
    return {};
  if (!desc->bodies)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, n.op_type, " '", n.name, "': num_bodies is ", desc->num_bodies,
                      " but bodies is NULL");
  // The union of the bodies' outer-scope values, in first-use order: the layer's extra inputs.
  std::vector<std::string> names;
  for (size_t b = 0; b < desc->num_bodies; ++b) {
    const mirt_body_attribute& a = desc->bodies[b];
    std::string attr(to_view(a.name));
    if (!a.body || a.body->parent != network)
      return make_error(MIRT_STATUS_INVALID_GRAPH, n.op_type, " '", n.name, "': body '", attr,
                        a.body ? "' was not made for this network (mirt_network_create_body(network, ...))"
                               : "' is NULL");
    for (const mirt_body_attribute& other : std::vector<mirt_body_attribute>(desc->bodies, desc->bodies + b))
      if (to_view(other.name) == attr)
        return make_error(MIRT_STATUS_INVALID_GRAPH, n.op_type, " '", n.name, "': body '", attr, "' is given twice");
    for (int t : a.body->captures) {
      const std::string& name = a.body->graph.tensors[t].name;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  for (const std::string& name : names) {
    int outer = network->graph.find_tensor(name);
    if (outer < 0)
      return make_error(MIRT_STATUS_INTERNAL, n.op_type, " '", n.name, "': outer-scope value '", name,
                        "' is missing from the parent network");
    n.inputs.push_back(outer);
  }
  for (size_t b = 0; b < desc->num_bodies; ++b) {
    const mirt_network* source = desc->bodies[b].body;
    auto body = std::make_shared<graph>(source->graph);
    body->name = std::string(to_view(desc->bodies[b].name));
    for (const std::string& name : names) {
      int t = body->find_tensor(name);
      if (t < 0) {  // a value another body uses: an unused input of this one
        tensor unused;
        unused.name = name;
        unused.is_input = true;
        t = body->add_tensor(std::move(unused));
      }
      body->inputs.push_back(t);
    }
    n.bodies.push_back({body->name, std::move(body), names.size(), nullptr});
  }
  return {};
}

}  // namespace mirt

extern "C" {

MIRT_EXPORT mirt_status mirt_network_create_body(mirt_network* parent, mirt_string_view name,
                                                 mirt_network** out_body) {
  MIRT_C_GUARD_BEGIN
  if (!parent || !out_body)
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, "mirt_network_create_body: parent and out_body must not be NULL"});
  auto body = std::make_unique<mirt_network>();
  body->parent = parent;
  body->graph.name = std::string(to_view(name));
  *out_body = body.release();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_network_add_body_input(mirt_network* body, mirt_string_view name,
                                                    mirt_tensor** out_tensor) {
  MIRT_C_GUARD_BEGIN
  if (!body || !body->parent)
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT,
                        "mirt_network_add_body_input: the network is not a body (mirt_network_create_body)"});
  if (to_view(name).empty())
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, "mirt_network_add_body_input: the name is empty"});
  if (body->graph.has_name(to_view(name)))
    return to_c_status({MIRT_STATUS_ALREADY_EXISTS, cat("body input '", to_view(name), "': a tensor of that name exists")});
  mirt::tensor t;
  t.name = std::string(to_view(name));
  t.is_input = true;  // typed from the layer at build time
  int index = body->graph.add_tensor(std::move(t));
  body->graph.inputs.push_back(index);
  if (out_tensor) *out_tensor = body->handle_of(index);
  return nullptr;
  MIRT_C_GUARD_END
}

}  // extern "C"
