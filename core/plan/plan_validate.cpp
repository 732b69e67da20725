// core/plan/plan_validate.cpp — checks that a plan_model's indices, counts and ranges agree.
#include "core/plan/plan_validate.hpp"

#include <string>
#include <unordered_set>

namespace mirt {
namespace {

// Names tensor index t for messages, whether or not it is in range.
std::string tensor_label(const graph& g, int64_t t) {
  if (t >= 0 && static_cast<size_t>(t) < g.tensors.size()) return cat("tensor ", t, " '", g.tensors[t].name, "'");
  return cat("tensor ", t);
}

std::string node_label(const graph& g, size_t n) { return cat("node ", n, " '", g.nodes[n].name, "'"); }

bool in_range(int64_t index, size_t count) { return index >= 0 && static_cast<uint64_t>(index) < count; }

status check_tensors(const plan_model& m, mirt_status_code code) {
  const graph& g = m.network;
  std::unordered_set<std::string> names;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const tensor& x = g.tensors[t];
    std::string who = cat("plan ", tensor_label(g, static_cast<int64_t>(t)));
    if (x.name.empty()) return make_error(code, "plan tensor ", t, " has an empty name");
    if (!names.insert(x.name).second) return make_error(code, who, ": the name is used by an earlier tensor");
    if (x.dtype < MIRT_DTYPE_UNDEFINED || x.dtype > MIRT_DTYPE_FLOAT64)
      return make_error(code, who, ": unknown dtype ", static_cast<int64_t>(x.dtype));
    if (!x.rank_known && !x.shape.empty())
      return make_error(code, who, ": rank is unknown but ", x.shape.size(), " dims are given");
    if (x.shape.size() > MIRT_MAX_RANK)
      return make_error(code, who, ": rank ", x.shape.size(), " exceeds the maximum of ", MIRT_MAX_RANK);
    for (size_t d = 0; d < x.shape.size(); ++d)
      if (x.shape[d].value < MIRT_DYNAMIC_DIM)
        return make_error(code, who, ": dim ", d, " is ", x.shape[d].value, ", expected -1 or more");
    if (x.producer != -1 && !in_range(x.producer, g.nodes.size()))
      return make_error(code, who, ": producer ", x.producer, " is not a node (there are ", g.nodes.size(), ")");
    if (x.constant != -1 && !in_range(x.constant, g.constants.size()))
      return make_error(code, who, ": constant ", x.constant, " does not exist (there are ", g.constants.size(), ")");
    if (x.constant >= 0 && (x.producer >= 0 || x.is_input))
      return make_error(code, who, ": a constant cannot also be a graph input or a node output");
    if (x.producer >= 0) {
      bool listed = false;
      for (int out : g.nodes[x.producer].outputs) listed = listed || out == static_cast<int>(t);
      if (!listed)
        return make_error(code, who, ": producer is ", node_label(g, x.producer), ", which does not output it");
    }
  }
  return ok_status();
}

status check_nodes(const plan_model& m, mirt_status_code code) {
  const graph& g = m.network;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const node& x = g.nodes[n];
    std::string who = cat("plan ", node_label(g, n), " (", x.op_type, ")");
    if (x.op_type.empty()) return make_error(code, who, ": the op type is empty");
    for (size_t i = 0; i < x.inputs.size(); ++i)
      if (x.inputs[i] != -1 && !in_range(x.inputs[i], g.tensors.size()))
        return make_error(code, who, ": input ", i, " is tensor ", x.inputs[i], ", which does not exist (there are ",
                          g.tensors.size(), ")");
    for (size_t i = 0; i < x.outputs.size(); ++i) {
      int out = x.outputs[i];
      if (!in_range(out, g.tensors.size()))
        return make_error(code, who, ": output ", i, " is tensor ", out, ", which does not exist (there are ",
                          g.tensors.size(), ")");
      if (g.tensors[out].producer != static_cast<int>(n))
        return make_error(code, who, ": output ", i, " is ", tensor_label(g, out), ", whose producer is ",
                          g.tensors[out].producer, " instead of ", n);
    }
    for (const subgraph& s : x.bodies)
      if (!s.plan || s.plan->empty()) return make_error(code, who, ": body '", s.attribute, "' is not compiled");
    std::unordered_set<std::string> names;
    for (const attribute& a : x.attributes.all()) {
      std::string what = cat(who, ": attribute '", a.name, "'");
      if (a.name.empty()) return make_error(code, who, ": an attribute has an empty name");
      if (!names.insert(a.name).second) return make_error(code, what, " appears twice");
      size_t count = 1;
      switch (a.type) {
        case MIRT_ATTRIBUTE_TYPE_INT: count = a.ints.size(); break;
        case MIRT_ATTRIBUTE_TYPE_FLOAT: count = a.floats.size(); break;
        case MIRT_ATTRIBUTE_TYPE_STRING: count = a.strings.size(); break;
        case MIRT_ATTRIBUTE_TYPE_INTS:
        case MIRT_ATTRIBUTE_TYPE_FLOATS:
        case MIRT_ATTRIBUTE_TYPE_STRINGS: break;
        default: return make_error(code, what, " has unknown type ", static_cast<int64_t>(a.type));
      }
      if (count != 1) return make_error(code, what, " is a single value but holds ", count);
    }
  }
  return ok_status();
}

// Graph inputs (or outputs) are in range, unique, and exactly the tensors flagged so.
status check_io(const plan_model& m, mirt_status_code code, const std::vector<int>& list, bool tensor::*flag,
                const char* kind) {
  const graph& g = m.network;
  std::unordered_set<int> seen;
  for (int t : list) {
    if (!in_range(t, g.tensors.size()))
      return make_error(code, "plan graph ", kind, " ", tensor_label(g, t), " does not exist (there are ",
                        g.tensors.size(), " tensors)");
    if (!seen.insert(t).second) return make_error(code, "plan graph ", kind, " ", tensor_label(g, t), " is listed twice");
    if (!(g.tensors[t].*flag))
      return make_error(code, "plan graph ", kind, " ", tensor_label(g, t), " is not flagged as a graph ", kind);
  }
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (g.tensors[t].*flag && !seen.count(static_cast<int>(t)))
      return make_error(code, "plan ", tensor_label(g, static_cast<int64_t>(t)), " is flagged as a graph ", kind,
                        " but is not in the graph's ", kind, " list");
  return ok_status();
}

// A shape tensor input's value ranges: one entry per element of its (fixed) shape, min <= opt <= max.
status check_shape_values(const profile_input& in, const std::string& who, mirt_status_code code) {
  if (!in.shape_tensor) {
    if (!in.min_values.empty() || !in.opt_values.empty() || !in.max_values.empty())
      return make_error(code, who, ": has value ranges but is not marked a shape tensor");
    return ok_status();
  }
  if (in.min != in.max) return make_error(code, who, ": a shape tensor input needs a fixed shape");
  const int64_t count = element_count(in.min);
  if (count < 0 || in.min_values.size() != static_cast<size_t>(count) || in.opt_values.size() != in.min_values.size() ||
      in.max_values.size() != in.min_values.size())
    return make_error(code, who, ": ", count, " elements but value ranges of ", in.min_values.size(), "/",
                      in.opt_values.size(), "/", in.max_values.size(), " entries");
  for (size_t i = 0; i < in.min_values.size(); ++i)
    if (in.min_values[i] > in.opt_values[i] || in.opt_values[i] > in.max_values[i])
      return make_error(code, who, ": value ", i, " has min ", in.min_values[i], ", opt ", in.opt_values[i], ", max ",
                        in.max_values[i], "; expected min <= opt <= max");
  return ok_status();
}

status check_profiles(const plan_model& m, mirt_status_code code) {
  const graph& g = m.network;
  if (m.profiles.empty()) return make_error(code, "plan has no optimization profile; it needs at least one");
  for (size_t p = 0; p < m.profiles.size(); ++p) {
    const plan_profile& prof = m.profiles[p];
    std::unordered_set<int> seen;
    for (const profile_input& in : prof.inputs) {
      std::string who = cat("plan profile ", p, ": ", tensor_label(g, in.tensor));
      if (!in_range(in.tensor, g.tensors.size())) return make_error(code, who, " does not exist");
      const tensor& x = g.tensors[in.tensor];
      if (!x.is_input) return make_error(code, who, " is not a graph input");
      if (!seen.insert(in.tensor).second) return make_error(code, who, " has two shape ranges");
      if (in.min.size() != in.opt.size() || in.opt.size() != in.max.size())
        return make_error(code, who, ": min, opt and max have ranks ", in.min.size(), ", ", in.opt.size(), " and ",
                          in.max.size());
      if (x.rank_known && in.min.size() != x.shape.size())
        return make_error(code, who, ": the range has rank ", in.min.size(), ", the tensor ", x.shape.size());
      for (size_t d = 0; d < in.min.size(); ++d) {
        if (in.min[d] < 0 || in.min[d] > in.opt[d] || in.opt[d] > in.max[d])
          return make_error(code, who, ": dim ", d, " has min ", in.min[d], ", opt ", in.opt[d], ", max ", in.max[d],
                            "; expected 0 <= min <= opt <= max");
        if (x.rank_known && x.shape[d].known() && (in.min[d] != x.shape[d].value || in.max[d] != x.shape[d].value))
          return make_error(code, who, ": dim ", d, " is fixed at ", x.shape[d].value, " but the range is ", in.min[d],
                            "..", in.max[d]);
      }
      MIRT_RETURN_IF_ERROR(check_shape_values(in, who, code));
      for (const profile_input& first : m.profiles.front().inputs)
        if (first.tensor == in.tensor && first.shape_tensor != in.shape_tensor)
          return make_error(code, who, " is a shape tensor in one profile but not in another");
    }
    const memory_plan& mem = prof.memory;
    if (!mem.tensor_offsets.empty() && mem.tensor_offsets.size() != g.tensors.size())
      return make_error(code, "plan profile ", p, ": the memory plan has ", mem.tensor_offsets.size(),
                        " offsets for ", g.tensors.size(), " tensors");
    for (size_t t = 0; t < mem.tensor_offsets.size(); ++t) {
      int64_t off = mem.tensor_offsets[t];
      if (off < -1 || (off >= 0 && static_cast<uint64_t>(off) > mem.arena_size))
        return make_error(code, "plan profile ", p, ": ", tensor_label(g, static_cast<int64_t>(t)),
                          " has arena offset ", off, ", outside the arena of ", mem.arena_size, " bytes");
    }
    if (!mem.input_aliases.empty() && mem.input_aliases.size() != g.tensors.size())
      return make_error(code, "plan profile ", p, ": the memory plan has ", mem.input_aliases.size(),
                        " input aliases for ", g.tensors.size(), " tensors");
    for (size_t t = 0; t < mem.input_aliases.size(); ++t) {
      const int32_t input = mem.input_aliases[t];
      if (input == -1) continue;
      // A view of a graph input reads the input's buffer: it has no arena bytes and is no I/O itself.
      const bool fits = input >= 0 && size_t(input) < g.tensors.size() && g.tensors[size_t(input)].is_input &&
                        !g.tensors[t].is_input && !g.tensors[t].is_output &&
                        (mem.tensor_offsets.empty() || mem.tensor_offsets[t] == -1);
      if (!fits)
        return make_error(code, "plan profile ", p, ": ", tensor_label(g, static_cast<int64_t>(t)), " aliases tensor ", input,
                          ", which is not a graph input it can share (or it has arena bytes or is I/O itself)");
    }
  }
  return ok_status();
}

}  // namespace

status validate_plan_model(const plan_model& model, mirt_status_code code) {
  MIRT_RETURN_IF_ERROR(check_nodes(model, code));
  MIRT_RETURN_IF_ERROR(check_tensors(model, code));
  MIRT_RETURN_IF_ERROR(check_io(model, code, model.network.inputs, &tensor::is_input, "input"));
  MIRT_RETURN_IF_ERROR(check_io(model, code, model.network.outputs, &tensor::is_output, "output"));
  if (model.kernels.size() != model.network.nodes.size())
    return make_error(code, "plan has ", model.kernels.size(), " kernels for ", model.network.nodes.size(),
                      " nodes; expected one per node");
  for (const plugin_ref& p : model.plugins) {
    if (p.node < 0 || static_cast<size_t>(p.node) >= model.network.nodes.size())
      return make_error(code, "plan plugin ", p.plugin_namespace, "::", p.name, " names node ", p.node, " of ",
                        model.network.nodes.size());
    const node& n = model.network.nodes[p.node];
    if (n.op_type != p.name || n.domain != p.plugin_namespace || n.version != p.version)
      return make_error(code, "plan plugin ", p.plugin_namespace, "::", p.name, " version ", p.version, " names node ",
                        p.node, " '", n.name, "', which is ", n.domain, "::", n.op_type, " version ", n.version);
  }
  return check_profiles(model, code);
}

}  // namespace mirt
