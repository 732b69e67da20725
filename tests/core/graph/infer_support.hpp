// tests/core/graph/infer_support.hpp — helpers to run one op schema's inference on hand-made types.
#pragma once

#include <doctest/doctest.h>

#include <cctype>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "core/graph/op_schema.hpp"

namespace graph_test {

using mirt::attribute;
using mirt::dim;
using mirt::dims;
using mirt::tensor_type;

// "batch,3,224,224": numbers are known extents, "?" an unknown one, other words symbols; "" a scalar.
inline dims shape(const std::string& text) {
  dims out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part == "?") out.push_back(dim{});
    else if (!part.empty() && (std::isdigit(static_cast<unsigned char>(part[0])) || part[0] == '-'))
      out.push_back(dim{std::stoll(part), {}});
    else out.push_back(dim{-1, part});
  }
  return out;
}

inline tensor_type typed(mirt_dtype dtype, const std::string& dims_text) {
  return tensor_type{dtype, shape(dims_text), true, std::nullopt};
}
inline tensor_type f32(const std::string& dims_text) { return typed(MIRT_DTYPE_FLOAT32, dims_text); }
// A 1-D int64 tensor whose values are known (a constant or shape arithmetic).
inline tensor_type i64_values(std::vector<int64_t> values) {
  return tensor_type{MIRT_DTYPE_INT64, dims{dim{static_cast<int64_t>(values.size()), {}}}, true, std::move(values)};
}
inline tensor_type i64_scalar(int64_t value) { return tensor_type{MIRT_DTYPE_INT64, {}, true, std::vector{value}}; }
// A tensor for an omitted optional input.
inline tensor_type omitted() { return tensor_type{MIRT_DTYPE_UNDEFINED, {}, false, std::nullopt}; }

inline attribute attr_int(const char* name, int64_t v) { return {name, MIRT_ATTRIBUTE_TYPE_INT, {v}, {}, {}}; }
inline attribute attr_ints(const char* name, std::vector<int64_t> v) {
  return {name, MIRT_ATTRIBUTE_TYPE_INTS, std::move(v), {}, {}};
}
inline attribute attr_float(const char* name, float v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {v}, {}}; }
inline attribute attr_string(const char* name, std::string v) {
  return {name, MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {std::move(v)}};
}

inline const mirt::op_schema& schema_of(const std::string& op) {
  const mirt::op_schema* s = mirt::schema_table::standard().find("", op);
  REQUIRE_MESSAGE(s != nullptr, "no schema for ", op);
  return *s;
}

// A node of op with `inputs` tensor slots (omitted ones marked by omit), `outputs` outputs and attrs.
inline mirt::node make_node(const std::string& op, size_t inputs, size_t outputs, std::vector<attribute> attrs = {},
                            const std::string& name = "layer") {
  mirt::node n;
  n.name = name;
  n.op_type = op;
  for (size_t i = 0; i < inputs; ++i) n.inputs.push_back(static_cast<int>(i));
  for (size_t o = 0; o < outputs; ++o) n.outputs.push_back(static_cast<int>(inputs + o));
  for (attribute& a : attrs) n.attributes.set(std::move(a));
  return n;
}

// The outcome of one inference: the status and, on success, the output types.
struct inferred {
  mirt::status status;
  std::vector<tensor_type> outputs;

  bool ok() const { return status.ok(); }
  const tensor_type& out(size_t i = 0) const { return outputs.at(i); }
  std::string shape(size_t i = 0) const { return mirt::to_string(outputs.at(i).shape); }
  const std::string& message() const { return status.message(); }
};

// Validates node n against schema, then runs its inference.
inline inferred infer_node(const mirt::op_schema& schema, mirt::node n, std::vector<tensor_type> inputs, size_t outputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].present()) n.inputs[i] = -1;
  inferred r;
  r.status = mirt::validate_node(schema, n);
  if (!r.ok()) return r;
  mirt::infer_context ctx(n, std::move(inputs), outputs);
  r.status = schema.infer(ctx);
  if (r.ok()) r.outputs = ctx.outputs();
  return r;
}

// Validates the node against op's schema (the default domain), then runs its inference.
inline inferred infer(const std::string& op, std::vector<tensor_type> inputs, std::vector<attribute> attrs = {},
                      size_t outputs = 1, const std::string& name = "layer") {
  mirt::node n = make_node(op, inputs.size(), outputs, std::move(attrs), name);
  return infer_node(schema_of(op), std::move(n), std::move(inputs), outputs);
}

// infer() for an op of another domain (ai.onnx.ml, ai.onnx.preview, mirt, ...).
inline inferred infer_in(const std::string& domain, const std::string& op, std::vector<tensor_type> inputs,
                         std::vector<attribute> attrs = {}) {
  const mirt::op_schema* schema = mirt::schema_table::standard().find(domain, op);
  REQUIRE(schema != nullptr);
  mirt::node n = make_node(op, inputs.size(), 1, std::move(attrs), "layer");
  n.domain = domain;
  return infer_node(*schema, std::move(n), std::move(inputs), 1);
}

// Symbolic dims compare by symbol, not only by extent.
inline bool same_dims(const dims& a, const std::string& b) { return a == shape(b); }

}  // namespace graph_test

#define REQUIRE_INFERRED(r)               \
  do {                                    \
    INFO("status: ", (r).message());      \
    REQUIRE((r).ok());                    \
  } while (0)

#define CHECK_FAILS_WITH(r, code_, text)                  \
  do {                                                    \
    INFO("status: ", (r).message());                      \
    CHECK_FALSE((r).ok());                                \
    CHECK((r).status.code() == (code_));                  \
    CHECK((r).message().find(text) != std::string::npos); \
  } while (0)
