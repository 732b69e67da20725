// core/graph/op_schema.hpp — op schemas: arity, attributes, and type/shape inference per op.
//
// The standard op set follows the ONNX operator specs (latest opset form). Each schema file under
// core/graph/schemas/ adds one op family through an explicit add_*_schemas() call; nothing
// registers itself from a static initializer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/base/status.hpp"
#include "core/graph/graph.hpp"

namespace mirt {

// Type, shape and (for small integer tensors such as shapes) known values of one tensor.
struct tensor_type {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;  // UNDEFINED for an omitted optional input
  dims shape;
  bool rank_known = true;
  // Values known at build time: the data of small int64/int32 constants and what shape ops
  // compute from them (Shape, Gather, Concat, ...). Lets Reshape(x, Shape(y)...) infer shapes.
  std::optional<std::vector<int64_t>> values;
  // The data of small float32/float64 constants (e.g. Resize's scales), which shape arithmetic
  // does not track but some output shapes depend on.
  std::optional<std::vector<double>> float_values;

  bool present() const { return dtype != MIRT_DTYPE_UNDEFINED; }
  size_t rank() const { return shape.size(); }
};

class infer_context {
 public:
  infer_context(const node& n, std::vector<tensor_type> inputs, size_t num_outputs)
      : node_(n), inputs_(std::move(inputs)), outputs_(num_outputs) {}

  const node& layer() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  // Input i; an absent type when i is past the end or the input was omitted.
  const tensor_type& input(size_t i) const;
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i].present(); }
  tensor_type& output(size_t i) { return outputs_.at(i); }
  std::vector<tensor_type>& outputs() { return outputs_; }

  const attribute_map& attrs() const { return node_.attributes; }

  // An INVALID_SHAPE (or other code) error that starts with "<op> '<layer>': ".
  template <class... Parts>
  status error(const Parts&... parts) const {
    return make_error(MIRT_STATUS_INVALID_SHAPE, node_.op_type, " '", node_.name, "': ", parts...);
  }
  template <class... Parts>
  status error_code(mirt_status_code code, const Parts&... parts) const {
    return make_error(code, node_.op_type, " '", node_.name, "': ", parts...);
  }

  // Fails unless input i is present with the given rank (a common precondition).
  status require_rank(size_t i, size_t rank) const;
  // Fails unless input i has rank in [lo, hi].
  status require_rank_between(size_t i, size_t lo, size_t hi) const;

 private:
  const node& node_;
  std::vector<tensor_type> inputs_;
  std::vector<tensor_type> outputs_;
};

using infer_fn = std::function<status(infer_context&)>;

struct attribute_spec {
  std::string name;
  mirt_attribute_type type = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  bool required = false;
};

struct op_schema {
  std::string op_type;
  std::string domain;  // "" for the standard set
  int min_inputs = 1;
  int max_inputs = 1;
  int min_outputs = 1;
  int max_outputs = 1;
  std::vector<attribute_spec> attributes;
  // Output 0 may share input `in_place_input`'s buffer when that input dies here (elementwise ops
  // with input 0; mirt::FusedConv with its residual, input 3, which the kernel adds into Y).
  bool may_run_in_place = false;
  int in_place_input = 0;
  // Each run gives a fresh result (the random ops): the builder never folds such a layer.
  bool nondeterministic = false;
  infer_fn infer;
};

// All schemas known to the core. Built once, on first use; read-only afterwards (thread-safe).
class schema_table {
 public:
  static const schema_table& standard();

  void add(op_schema schema);
  const op_schema* find(std::string_view domain, std::string_view op_type) const;
  std::vector<const op_schema*> all() const;

 private:
  std::unordered_map<std::string, op_schema> schemas_;
};

// Whether domain names the standard op set ("", "ai.onnx").
bool is_standard_domain(std::string_view domain);

// Checks a node's arity and attributes against its schema. Errors name the layer.
status validate_node(const op_schema& schema, const node& n);

// ---- Helpers shared by schema files ----

// Numpy-style multidirectional broadcast of shapes a and b; error names the layer and both shapes.
result<dims> broadcast_shapes(const infer_context& ctx, const dims& a, const dims& b);
// Normalizes a possibly negative axis into [0, rank); error names the layer.
result<int64_t> normalize_axis(const infer_context& ctx, int64_t axis, size_t rank);
// An output that copies input i's type and shape.
tensor_type same_as(const tensor_type& t);

}  // namespace mirt
