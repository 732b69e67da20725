// core/graph/schemas/control_flow.cpp — If, Loop, Scan: types and shapes through their bodies.
//
// An output whose shape depends on data (If branches of different shapes, a Loop whose trip count
// is not known from shape values) gets -1 in those dims; docs/control-flow.md says what runs.
#include <limits>

#include "core/graph/control_flow.hpp"
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

using namespace schemas;

namespace {

constexpr int many = 1024;  // inputs (own and outer-scope values) and outputs a layer may have

// One type that covers both: dims that differ become dynamic; a different rank, unknown rank.
result<tensor_type> merge(const infer_context& ctx, const tensor_type& a, const tensor_type& b, const std::string& what) {
  if (a.dtype != b.dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, what, " is ", mirt_dtype_name(a.dtype), " in one body and ",
                          mirt_dtype_name(b.dtype), " in the other");
  tensor_type out;
  out.dtype = a.dtype;
  if (!a.rank_known || !b.rank_known || a.rank() != b.rank()) {
    out.rank_known = false;
    return out;
  }
  for (size_t d = 0; d < a.rank(); ++d) out.shape.push_back(a.shape[d] == b.shape[d] ? a.shape[d] : dim{});
  if (a.values && b.values && *a.values == *b.values) out.values = a.values;
  return out;
}

std::vector<tensor_type> captured_types(const infer_context& ctx) {
  std::vector<tensor_type> out;
  for (size_t i = formal_input_count(ctx.layer()); i < ctx.num_inputs(); ++i) out.push_back(ctx.input(i));
  return out;
}

tensor_type scalar_of(mirt_dtype dtype) { return tensor_type{dtype, {}, true, std::nullopt}; }

status infer_if(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(check_bodies(ctx.layer()));
  const tensor_type& cond = ctx.input(0);
  if (cond.dtype != MIRT_DTYPE_BOOL)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "the condition (input 0) is ", mirt_dtype_name(cond.dtype),
                          ", expected bool");
  if (element_count(cond.shape) > 1)
    return ctx.error("the condition (input 0) has shape ", to_string(cond.shape), "; it must hold one element");
  const std::vector<tensor_type> captured = captured_types(ctx);
  const subgraph& then_branch = *find_body(ctx.layer(), "then_branch");
  const subgraph& else_branch = *find_body(ctx.layer(), "else_branch");
  // A condition known at build time picks its branch (the builder then inlines it).
  if (cond.values && cond.values->size() == 1) {
    MIRT_ASSIGN_OR_RETURN(ctx.outputs(), infer_body(ctx.layer(), (*cond.values)[0] ? then_branch : else_branch, captured));
    return {};
  }
  MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> a, infer_body(ctx.layer(), then_branch, captured));
  MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> b, infer_body(ctx.layer(), else_branch, captured));
  for (size_t o = 0; o < ctx.num_outputs(); ++o) {
    MIRT_ASSIGN_OR_RETURN(ctx.output(o), merge(ctx, a[o], b[o], cat("output ", o)));
  }
  return {};
}

status infer_loop(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(check_bodies(ctx.layer()));
  const node& n = ctx.layer();
  const subgraph& body = *find_body(n, "body");
  const size_t carried = loop_carried_count(n);
  if (ctx.has_input(0) && (ctx.input(0).dtype != MIRT_DTYPE_INT64 || element_count(ctx.input(0).shape) > 1))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "the trip count M (input 0) is ", mirt_dtype_name(ctx.input(0).dtype),
                          " of shape ", to_string(ctx.input(0).shape), ", expected an int64 scalar");
  if (ctx.has_input(1) && (ctx.input(1).dtype != MIRT_DTYPE_BOOL || element_count(ctx.input(1).shape) > 1))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "the condition (input 1) is ", mirt_dtype_name(ctx.input(1).dtype),
                          " of shape ", to_string(ctx.input(1).shape), ", expected a bool scalar");
  // With the condition absent or known true, the body sees a true one: when its condition output
  // is then true as well, by induction nothing ends the loop before M iterations.
  const std::vector<int64_t>* cond_in = known_values(ctx, 1);
  const bool starts_true = !ctx.has_input(1) || (cond_in && cond_in->size() == 1 && (*cond_in)[0] != 0);
  std::vector<tensor_type> inputs = {scalar_of(MIRT_DTYPE_INT64), scalar_of(MIRT_DTYPE_BOOL)};
  if (starts_true) inputs[1].values = std::vector<int64_t>{1};
  for (size_t v = 0; v < carried; ++v) {
    if (!ctx.has_input(2 + v)) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "loop-carried value ", v, " is omitted");
    tensor_type t = ctx.input(2 + v);
    t.values.reset(), t.float_values.reset();  // they change from one iteration to the next
    inputs.push_back(std::move(t));
  }
  for (tensor_type& t : captured_types(ctx)) inputs.push_back(std::move(t));
  // Carried values may change shape between iterations: where the body's result differs from its
  // input, the dim (or rank) becomes dynamic, and the body is inferred again at that type.
  std::vector<tensor_type> outs;
  for (int round = 0; round < 3; ++round) {
    MIRT_ASSIGN_OR_RETURN(outs, infer_body(n, body, inputs));
    bool stable = true;
    for (size_t v = 0; v < carried; ++v) {
      MIRT_ASSIGN_OR_RETURN(tensor_type merged, merge(ctx, inputs[2 + v], outs[1 + v], cat("loop-carried value ", v)));
      merged.values.reset();
      stable = stable && merged.shape == inputs[2 + v].shape && merged.rank_known == inputs[2 + v].rank_known;
      inputs[2 + v] = std::move(merged);
    }
    if (stable) break;
  }
  if (outs[0].dtype != MIRT_DTYPE_BOOL || element_count(outs[0].shape) > 1)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "body output 0 (the condition) is ", mirt_dtype_name(outs[0].dtype),
                          " of shape ", to_string(outs[0].shape), ", expected a bool scalar");
  for (size_t v = 0; v < carried; ++v) ctx.output(v) = inputs[2 + v];
  // The trip count is known when M is and nothing can end the loop early (see above); else it
  // depends on data.
  dim trips;
  const std::vector<int64_t>* m = known_values(ctx, 0);
  const bool stays_true = outs[0].values && outs[0].values->size() == 1 && (*outs[0].values)[0] != 0;
  if (m && m->size() == 1 && starts_true && stays_true) trips = dim{std::max<int64_t>((*m)[0], 0), {}};
  for (size_t k = 0; k + carried < ctx.num_outputs(); ++k) {
    tensor_type t = outs[1 + carried + k];
    t.values.reset(), t.float_values.reset();
    if (t.rank_known) t.shape.insert(t.shape.begin(), trips);
    ctx.output(carried + k) = std::move(t);
  }
  return {};
}

result<std::vector<int64_t>> axes_of(const infer_context& ctx, const char* name, size_t count) {
  std::vector<int64_t> axes = ctx.attrs().get_ints(name, std::vector<int64_t>(count, 0));
  if (axes.size() != count) return ctx.error(name, " has ", axes.size(), " entries, expected ", count);
  return axes;
}

status infer_scan(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(check_bodies(ctx.layer()));
  const node& n = ctx.layer();
  const size_t scans = static_cast<size_t>(n.attributes.get_int("num_scan_inputs", 0));
  const size_t states = formal_input_count(n) - scans;
  const size_t outputs = ctx.num_outputs() - states;
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> in_axes, axes_of(ctx, "scan_input_axes", scans));
  MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> out_axes, axes_of(ctx, "scan_output_axes", outputs));
  MIRT_RETURN_IF_ERROR(axes_of(ctx, "scan_input_directions", scans).error());
  MIRT_RETURN_IF_ERROR(axes_of(ctx, "scan_output_directions", outputs).error());
  // batched (mirt's form of Scan-8): states and scan inputs lead with a batch axis that the body
  // does not see; every output gets it back in front.
  const bool batched = n.attributes.get_int("batched", 0) != 0;
  if (batched && (n.attributes.find("scan_input_axes") || n.attributes.find("scan_output_axes")))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "a batched Scan scans axis 1 of its inputs; it takes no scan_input_axes or scan_output_axes");
  dim batch;
  std::vector<tensor_type> formal_types;
  for (size_t i = 0; i < states + scans; ++i) {
    tensor_type t = ctx.input(i);
    if (batched) {
      if (!t.present() || !t.rank_known || t.rank() < 1)
        return ctx.error("input ", i, " of a batched Scan needs a known rank with a leading batch axis");
      if (i == 0 || !batch.known()) batch = t.shape[0];
      else if (t.shape[0].known() && t.shape[0].value != batch.value)
        return ctx.error("input ", i, " has batch ", t.shape[0].value, ", input 0 has ", batch.value);
      t.shape.erase(t.shape.begin());
      t.values.reset(), t.float_values.reset();
    }
    formal_types.push_back(std::move(t));
  }
  std::vector<tensor_type> inputs;
  for (size_t s = 0; s < states; ++s) inputs.push_back(formal_types[s]);
  dim length;
  for (size_t i = 0; i < scans; ++i) {
    tensor_type t = formal_types[states + i];
    if (!t.present() || !t.rank_known || t.rank() == 0)
      return ctx.error("scan input ", i, " (input ", states + i, ") needs a known rank of at least 1");
    MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, in_axes[i], t.rank()));
    const dim d = t.shape[axis];
    if (i == 0) length = d;
    else if (d.known() && length.known() && d.value != length.value)
      return ctx.error("scan input ", i, " has ", d.value, " steps along axis ", axis, ", scan input 0 has ", length.value);
    t.shape.erase(t.shape.begin() + axis);
    t.values.reset(), t.float_values.reset();
    inputs.push_back(std::move(t));
  }
  for (tensor_type& t : captured_types(ctx)) inputs.push_back(std::move(t));
  MIRT_ASSIGN_OR_RETURN(std::vector<tensor_type> outs, infer_body(n, *find_body(n, "body"), inputs));
  for (size_t s = 0; s < states; ++s) {
    MIRT_ASSIGN_OR_RETURN(ctx.output(s), merge(ctx, inputs[s], outs[s], cat("state value ", s)));
  }
  for (size_t k = 0; k < outputs; ++k) {
    tensor_type t = outs[states + k];
    t.values.reset(), t.float_values.reset();
    if (t.rank_known) {
      MIRT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(ctx, out_axes[k], t.rank() + 1));
      t.shape.insert(t.shape.begin() + axis, length);
    }
    ctx.output(states + k) = std::move(t);
  }
  if (batched)
    for (size_t o = 0; o < ctx.num_outputs(); ++o)
      if (ctx.output(o).rank_known) ctx.output(o).shape.insert(ctx.output(o).shape.begin(), batch);
  return {};
}

}  // namespace

void add_control_flow_schemas(schema_table& table) {
  table.add(make_schema("If", 1, many, 1, many, {}, infer_if));
  table.add(make_schema("Loop", 0, many, 1, many, {}, infer_loop));
  table.add(make_schema("Scan", 1, many, 1, many,
                        {{"num_scan_inputs", MIRT_ATTRIBUTE_TYPE_INT, true},
                         {"batched", MIRT_ATTRIBUTE_TYPE_INT},  // mirt: Scan-8's leading batch axis
                         {"scan_input_axes", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"scan_input_directions", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"scan_output_axes", MIRT_ATTRIBUTE_TYPE_INTS},
                         {"scan_output_directions", MIRT_ATTRIBUTE_TYPE_INTS}},
                        infer_scan));
}

}  // namespace mirt
