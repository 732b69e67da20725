// core/graph/op_schema.cpp — the schema table, node validation and shared inference helpers.
#include "core/graph/op_schema.hpp"

#include "core/graph/schemas/schemas.hpp"

extern "C" MIRT_EXPORT const char* mirt_attribute_type_name(mirt_attribute_type type) {
  switch (type) {
    case MIRT_ATTRIBUTE_TYPE_INT: return "int";
    case MIRT_ATTRIBUTE_TYPE_FLOAT: return "float";
    case MIRT_ATTRIBUTE_TYPE_STRING: return "string";
    case MIRT_ATTRIBUTE_TYPE_INTS: return "ints";
    case MIRT_ATTRIBUTE_TYPE_FLOATS: return "floats";
    case MIRT_ATTRIBUTE_TYPE_STRINGS: return "strings";
    default: return "undefined";
  }
}

namespace mirt {

namespace {

std::string key_of(std::string_view domain, std::string_view op_type) {
  std::string key(is_standard_domain(domain) ? std::string_view() : domain);
  key += "::";
  key += op_type;
  return key;
}

}  // namespace

bool is_standard_domain(std::string_view domain) { return domain.empty() || domain == "ai.onnx"; }

const tensor_type& infer_context::input(size_t i) const {
  static const tensor_type absent{MIRT_DTYPE_UNDEFINED, {}, false, std::nullopt};
  return i < inputs_.size() ? inputs_[i] : absent;
}

status infer_context::require_rank(size_t i, size_t rank) const {
  if (!has_input(i)) return error("input ", i, " is required");
  if (input(i).rank() != rank)
    return error("input ", i, " has rank ", input(i).rank(), ", expected ", rank);
  return {};
}

status infer_context::require_rank_between(size_t i, size_t lo, size_t hi) const {
  if (!has_input(i)) return error("input ", i, " is required");
  size_t r = input(i).rank();
  if (r < lo || r > hi) return error("input ", i, " has rank ", r, ", expected ", lo, " to ", hi);
  return {};
}

const schema_table& schema_table::standard() {
  static const schema_table table = [] {
    schema_table t;
    add_all_standard_schemas(t);
    return t;
  }();
  return table;
}

void schema_table::add(op_schema schema) {
  std::string key = key_of(schema.domain, schema.op_type);
  schemas_[key] = std::move(schema);
}

const op_schema* schema_table::find(std::string_view domain, std::string_view op_type) const {
  auto it = schemas_.find(key_of(domain, op_type));
  return it == schemas_.end() ? nullptr : &it->second;
}

std::vector<const op_schema*> schema_table::all() const {
  std::vector<const op_schema*> out;
  for (const auto& [key, schema] : schemas_) out.push_back(&schema);
  return out;
}

status validate_node(const op_schema& schema, const node& n) {
  auto fail = [&](const auto&... parts) {
    return make_error(MIRT_STATUS_INVALID_GRAPH, n.op_type, " '", n.name, "': ", parts...);
  };
  int inputs = static_cast<int>(n.inputs.size());
  if (inputs < schema.min_inputs || inputs > schema.max_inputs) {
    if (schema.min_inputs == schema.max_inputs) return fail("has ", inputs, " inputs, expected ", schema.min_inputs);
    return fail("has ", inputs, " inputs, expected ", schema.min_inputs, " to ", schema.max_inputs);
  }
  for (int i = 0; i < schema.min_inputs; ++i)
    if (n.inputs[i] < 0) return fail("input ", i, " is required but was omitted");
  int outputs = static_cast<int>(n.outputs.size());
  if (outputs < schema.min_outputs || outputs > schema.max_outputs)
    return fail("has ", outputs, " outputs, expected ", schema.min_outputs, " to ", schema.max_outputs);
  for (const attribute& a : n.attributes.all()) {
    const attribute_spec* spec = nullptr;
    for (const attribute_spec& s : schema.attributes)
      if (s.name == a.name) spec = &s;
    if (!spec) {
      std::string known;
      for (const attribute_spec& s : schema.attributes) known += (known.empty() ? "" : ", ") + s.name;
      return fail("unknown attribute '", a.name, "' (", n.op_type, " takes: ", known.empty() ? "none" : known, ")");
    }
    if (spec->type != a.type)
      return fail("attribute '", a.name, "' is ", mirt_attribute_type_name(a.type), ", expected ",
                  mirt_attribute_type_name(spec->type));
    bool scalar = a.type == MIRT_ATTRIBUTE_TYPE_INT || a.type == MIRT_ATTRIBUTE_TYPE_FLOAT ||
                  a.type == MIRT_ATTRIBUTE_TYPE_STRING;
    size_t count = a.type == MIRT_ATTRIBUTE_TYPE_INT || a.type == MIRT_ATTRIBUTE_TYPE_INTS ? a.ints.size()
                   : a.type == MIRT_ATTRIBUTE_TYPE_FLOAT || a.type == MIRT_ATTRIBUTE_TYPE_FLOATS ? a.floats.size()
                                                                                                 : a.strings.size();
    if (scalar && count != 1) return fail("attribute '", a.name, "' must hold one value, has ", count);
  }
  for (const attribute_spec& s : schema.attributes)
    if (s.required && !n.attributes.find(s.name)) return fail("missing required attribute '", s.name, "'");
  return {};
}

result<dims> broadcast_shapes(const infer_context& ctx, const dims& a, const dims& b) {
  size_t rank = std::max(a.size(), b.size());
  dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const dim one{1, {}};
    const dim& x = i < rank - a.size() ? one : a[i - (rank - a.size())];
    const dim& y = i < rank - b.size() ? one : b[i - (rank - b.size())];
    if (x.known() && y.known()) {
      if (x.value != y.value && x.value != 1 && y.value != 1)
        return ctx.error("cannot broadcast shapes ", to_string(a), " and ", to_string(b), " (dim ", i, ": ", x.value,
                         " vs ", y.value, ")");
      out[i] = x.value == 1 ? y : x;
    } else if (x.known()) {
      out[i] = x.value == 1 ? y : x;
    } else if (y.known()) {
      out[i] = y.value == 1 ? x : y;
    } else {
      out[i] = (!x.symbol.empty() && x.symbol == y.symbol) ? x : dim{};
    }
  }
  return out;
}

result<int64_t> normalize_axis(const infer_context& ctx, int64_t axis, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return ctx.error("axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + r : axis;
}

tensor_type same_as(const tensor_type& t) {
  tensor_type out = t;
  out.values.reset();
  return out;
}

}  // namespace mirt
