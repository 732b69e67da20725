// backends/support/node_view.hpp — a read-only view of mirt_node_info: inputs, constants, attributes.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/support/shape.hpp"

namespace mirt::support {

inline std::string_view view_of(mirt_string_view s) { return s.data ? std::string_view(s.data, s.length) : std::string_view(); }

class node_view {
 public:
  explicit node_view(const mirt_node_info& node) : node_(node) {}

  std::string name() const { return std::string(view_of(node_.name)); }
  std::string op_type() const { return std::string(view_of(node_.op_type)); }
  size_t num_inputs() const { return node_.num_inputs; }
  size_t num_outputs() const { return node_.num_outputs; }
  uint32_t precision_flags() const { return node_.precision_flags; }
  bool allows(uint32_t flag) const { return (node_.precision_flags & flag) != 0; }

  // An omitted optional input (or one past num_inputs) reads as dtype UNDEFINED.
  bool has_input(size_t i) const { return i < node_.num_inputs && node_.inputs[i].dtype != MIRT_DTYPE_UNDEFINED; }
  mirt_dtype input_dtype(size_t i) const { return has_input(i) ? node_.inputs[i].dtype : MIRT_DTYPE_UNDEFINED; }
  mirt_dtype output_dtype(size_t i) const { return i < node_.num_outputs ? node_.outputs[i].dtype : MIRT_DTYPE_UNDEFINED; }
  const mirt_tensor_desc& input(size_t i) const { return node_.inputs[i]; }
  const mirt_tensor_desc& output(size_t i) const { return node_.outputs[i]; }
  // Host row-major data of a constant input, else nullptr (valid during the call only).
  const void* constant(size_t i) const {
    return has_input(i) && node_.constant_data != nullptr ? node_.constant_data[i] : nullptr;
  }
  // A constant integer input (int32/int64) as int64 values, when it is constant with a known shape.
  std::optional<std::vector<int64_t>> constant_ints(size_t i) const;

  const mirt_attribute* find(std::string_view name) const {
    for (size_t i = 0; i < node_.num_attributes; ++i)
      if (view_of(node_.attributes[i].name) == name) return &node_.attributes[i];
    return nullptr;
  }
  bool has_attr(std::string_view name) const { return find(name) != nullptr; }
  // Typed reads: an INT attribute reads as float and the reverse; any other type mismatch fails.
  int64_t attr_int(std::string_view name, int64_t fallback) const;
  float attr_float(std::string_view name, float fallback) const;
  std::string attr_string(std::string_view name, std::string fallback) const;
  std::optional<std::vector<int64_t>> attr_ints(std::string_view name) const;
  std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> fallback) const {
    auto v = attr_ints(name);
    return v ? *v : fallback;
  }
  // The node as the backend ABI describes it (for a kernel that wraps another on changed dtypes).
  const mirt_node_info& info() const { return node_; }

 private:
  [[noreturn]] void bad_type(std::string_view name, const char* expected) const {
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' is not ", expected);
  }
  const mirt_node_info& node_;
};

// For supports functions: input i's dtype is one of `allowed`; otherwise `why` says what is.
bool input_dtype_in(const node_view& node, size_t i, std::initializer_list<mirt_dtype> allowed, std::string& why);

// Whether the node's domain is the standard op set ("" or "ai.onnx").
bool standard_domain(const mirt_node_info& info);

}  // namespace mirt::support
