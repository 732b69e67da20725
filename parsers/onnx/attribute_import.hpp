// parsers/onnx/attribute_import.hpp — ONNX node attributes as owned, editable mirt attributes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirt/network.h"
#include "parsers/onnx/onnx_proto.hpp"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

// One attribute with its values owned; only the vector matching type is used.
struct owned_attribute {
  std::string name;
  mirt_attribute_type type = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};

// A node's attributes, in ONNX order, editable by the opset upgrades.
class attribute_list {
 public:
  const owned_attribute* find(std::string_view name) const;
  // Removes and returns the attribute, or nullopt when absent.
  std::optional<owned_attribute> take(std::string_view name);
  // Adds or replaces the attribute of that name.
  void set(owned_attribute a);
  void set_int(std::string_view name, int64_t value);
  void set_string(std::string_view name, std::string value);
  bool empty() const { return items_.empty(); }
  const std::vector<owned_attribute>& all() const { return items_; }

  // mirt_attribute views of the list; they point into this list and into *string_views, and stay
  // valid while both are unchanged.
  std::vector<mirt_attribute> views(std::vector<mirt_string_view>* string_views) const;

 private:
  std::vector<owned_attribute> items_;
};

// Converts the attributes of node. mirt attributes have no tensor type, so a one-element TENSOR
// attribute becomes a scalar of the same name:
//   - ConstantOfShape's `value` (the only tensor attribute of a standard op besides Constant's, which
//     the importer turns into a constant): a FLOAT `value` plus the INT attribute `dtype` holding the
//     tensor's ONNX element type code, the convention of core/graph/schemas/shape_values.cpp;
//     integer values that a float cannot hold exactly are refused.
//   - any other node's one-element tensor attribute: FLOAT, or INT for integer and bool tensors.
//   - a tensor attribute of an ONNX-ML (ai.onnx.ml) node, or of several elements (not ConstantOfShape's):
//     FLOATS (float64 values rounded to float32), or INTS for integer and bool tensors.
// Larger ConstantOfShape values, graphs, sparse tensors and type protos give UNSUPPORTED naming the attribute (the
// caller adds the node).
// Subgraph attributes are skipped for If, Loop and Scan (the importer adds them as bodies).
status convert_attributes(const ::onnx::NodeProto& node, attribute_list* out);
// Whether node is a standard If, Loop or Scan, whose GRAPH attributes are bodies.
bool is_control_flow_op(const ::onnx::NodeProto& node);

// The value of a one-element tensor: `integer` for integer and bool tensors (exact), else `real`.
struct scalar_value {
  bool is_integer = false;
  int64_t integer = 0;
  double real = 0.0;
};
// Reads a one-element tensor (for TENSOR attributes); UNSUPPORTED when it holds another count.
status scalar_of(const ::onnx::TensorProto& t, std::string_view what, scalar_value* out);
// Reads a tensor (for TENSOR attributes) into out's ints (INTS) or floats (FLOATS) by its dtype.
status list_of(const ::onnx::TensorProto& t, std::string_view what, owned_attribute* out);

}  // namespace mirt::onnx
