// core/graph/control_flow.cpp — bodies of If, Loop and Scan layers: structure checks and inference.
#include "core/graph/control_flow.hpp"

#include "core/graph/shape_inference.hpp"

namespace mirt {

namespace {

size_t formal_body_inputs(const subgraph& s) { return s.body->inputs.size() - s.captures; }

std::string body_label(const node& n, const subgraph& s) { return cat(n.op_type, " '", n.name, "': ", s.attribute); }

status check_if(const node& n) {
  const subgraph* then_branch = find_body(n, "then_branch");
  const subgraph* else_branch = find_body(n, "else_branch");
  if (!then_branch || !else_branch)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "If '", n.name, "': needs both bodies 'then_branch' and "
                                                                 "'else_branch', has ", n.bodies.size(), " bodies");
  for (const subgraph* s : {then_branch, else_branch}) {
    if (formal_body_inputs(*s) != 0)
      return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *s), " takes ", formal_body_inputs(*s),
                        " inputs; an If branch takes none (it reads outer-scope values instead)");
    if (s->body->outputs.size() != n.outputs.size())
      return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *s), " gives ", s->body->outputs.size(),
                        " outputs but the layer has ", n.outputs.size(), "; both branches must give one per output");
  }
  if (formal_input_count(n) != 1)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "If '", n.name, "': takes 1 input (the condition), has ",
                      formal_input_count(n));
  return {};
}

status check_loop(const node& n) {
  const subgraph* body = find_body(n, "body");
  if (!body || n.bodies.size() != 1)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "Loop '", n.name, "': needs exactly one body, 'body'");
  if (formal_input_count(n) < 2)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "Loop '", n.name, "': takes M, cond and the loop-carried values (",
                      "at least 2 inputs, each may be omitted), has ", formal_input_count(n));
  const size_t carried = loop_carried_count(n);
  if (formal_body_inputs(*body) != 2 + carried)
    return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *body), " takes ", formal_body_inputs(*body),
                      " inputs; it must take the iteration number, the condition and the ", carried,
                      " loop-carried values: ", 2 + carried);
  if (n.outputs.size() < carried)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "Loop '", n.name, "': has ", n.outputs.size(),
                      " outputs, fewer than its ", carried, " loop-carried values");
  const size_t scans = n.outputs.size() - carried;
  if (body->body->outputs.size() != 1 + carried + scans)
    return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *body), " gives ", body->body->outputs.size(),
                      " outputs; it must give the condition, the ", carried, " loop-carried values and the ", scans,
                      " scan outputs: ", 1 + carried + scans);
  return {};
}

status check_scan(const node& n) {
  const subgraph* body = find_body(n, "body");
  if (!body || n.bodies.size() != 1)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "Scan '", n.name, "': needs exactly one body, 'body'");
  const int64_t scans = n.attributes.get_int("num_scan_inputs", -1);
  const size_t formal = formal_input_count(n);
  if (scans < 1 || static_cast<size_t>(scans) > formal)
    return make_error(MIRT_STATUS_INVALID_GRAPH, "Scan '", n.name, "': num_scan_inputs is ", scans,
                      ", expected 1 to its input count ", formal);
  if (formal_body_inputs(*body) != formal)
    return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *body), " takes ", formal_body_inputs(*body),
                      " inputs; it must take the layer's ", formal, " (state values, then one slice per scan input)");
  const size_t states = formal - static_cast<size_t>(scans);
  if (n.outputs.size() < states || body->body->outputs.size() != n.outputs.size())
    return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, *body), " gives ", body->body->outputs.size(),
                      " outputs and the layer has ", n.outputs.size(), "; both must be the ", states,
                      " state values plus the scan outputs");
  return {};
}

}  // namespace

bool is_control_flow(const node& n) {
  return is_standard_domain(n.domain) && (n.op_type == "If" || n.op_type == "Loop" || n.op_type == "Scan");
}

const subgraph* find_body(const node& n, std::string_view attribute) {
  for (const subgraph& s : n.bodies)
    if (s.attribute == attribute && s.body) return &s;
  return nullptr;
}

size_t formal_input_count(const node& n) {
  const size_t captures = n.bodies.empty() ? 0 : n.bodies.front().captures;
  return n.inputs.size() >= captures ? n.inputs.size() - captures : 0;
}

size_t loop_carried_count(const node& n) {
  const size_t formal = formal_input_count(n);
  return formal >= 2 ? formal - 2 : 0;
}

status check_bodies(const node& n) {
  if (!is_control_flow(n)) {
    if (!n.bodies.empty())
      return make_error(MIRT_STATUS_INVALID_GRAPH, n.op_type, " '", n.name, "': only If, Loop and Scan take bodies");
    return {};
  }
  for (const subgraph& s : n.bodies) {
    if (!s.body) return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, s), " is empty");
    if (s.captures != n.bodies.front().captures || s.captures > s.body->inputs.size())
      return make_error(MIRT_STATUS_INTERNAL, body_label(n, s), " reads ", s.captures,
                        " outer-scope values; every body of a layer reads the same ones");
    if (s.body->outputs.empty())
      return make_error(MIRT_STATUS_INVALID_GRAPH, body_label(n, s), " has no outputs; mark them");
  }
  if (n.op_type == "If") return check_if(n);
  if (n.op_type == "Loop") return check_loop(n);
  return check_scan(n);
}

graph typed_body(const subgraph& s, const std::vector<tensor_type>& inputs) {
  graph g = *s.body;
  for (size_t i = 0; i < g.inputs.size() && i < inputs.size(); ++i) {
    tensor& t = g.tensors[g.inputs[i]];
    t.dtype = inputs[i].dtype;
    t.shape = inputs[i].shape;
    t.rank_known = inputs[i].rank_known;
  }
  return g;
}

result<std::vector<tensor_type>> infer_body(const node& n, const subgraph& s, const std::vector<tensor_type>& inputs) {
  const std::string where = body_label(n, s);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].present() || !inputs[i].rank_known)
      return make_error(MIRT_STATUS_INVALID_SHAPE, where, ": body input ", i, " '",
                        s.body->tensors[s.body->inputs[i]].name, "' has no known type and rank");
  const graph g = typed_body(s, inputs);
  value_map values;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].values) values[g.inputs[i]] = *inputs[i].values;
  MIRT_ASSIGN_OR_RETURN(std::vector<int> order, topological_order(g));
  result<std::vector<tensor_type>> types = infer_types(g, order, {}, values);
  if (!types.ok()) return types.error().with_context(cat("in ", where));
  std::vector<tensor_type> out;
  for (int t : g.outputs) out.push_back((*types)[t]);
  return out;
}

}  // namespace mirt
