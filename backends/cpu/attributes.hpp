// backends/cpu/attributes.hpp — a read-only view of mirt_node_info: inputs, constants, attributes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

inline std::string_view view_of(mirt_string_view s) { return s.data ? std::string_view(s.data, s.length) : std::string_view(); }

class node_view {
 public:
  explicit node_view(const mirt_node_info& node) : node_(node) {}

  std::string name() const { return std::string(view_of(node_.name)); }
  std::string op_type() const { return std::string(view_of(node_.op_type)); }
  size_t num_inputs() const { return node_.num_inputs; }
  size_t num_outputs() const { return node_.num_outputs; }

  // An omitted optional input (or one past num_inputs) reads as dtype UNDEFINED.
  bool has_input(size_t i) const { return i < node_.num_inputs && node_.inputs[i].dtype != MIRT_DTYPE_UNDEFINED; }
  mirt_dtype input_dtype(size_t i) const { return has_input(i) ? node_.inputs[i].dtype : MIRT_DTYPE_UNDEFINED; }
  mirt_dtype output_dtype(size_t i) const { return i < node_.num_outputs ? node_.outputs[i].dtype : MIRT_DTYPE_UNDEFINED; }
  const mirt_tensor_desc& input(size_t i) const { return node_.inputs[i]; }
  const mirt_tensor_desc& output(size_t i) const { return node_.outputs[i]; }
  // Row-major data of a constant input, else nullptr.
  const void* constant(size_t i) const {
    return has_input(i) && node_.constant_data != nullptr ? node_.constant_data[i] : nullptr;
  }

  const mirt_attribute* find(std::string_view name) const {
    for (size_t i = 0; i < node_.num_attributes; ++i)
      if (view_of(node_.attributes[i].name) == name) return &node_.attributes[i];
    return nullptr;
  }
  bool has_attr(std::string_view name) const { return find(name) != nullptr; }

  int64_t attr_int(std::string_view name, int64_t fallback) const {
    const mirt_attribute* a = find(name);
    if (a == nullptr) return fallback;
    if (a->count >= 1 && a->ints && (a->type == MIRT_ATTRIBUTE_TYPE_INT || a->type == MIRT_ATTRIBUTE_TYPE_INTS))
      return a->ints[0];
    if (a->count >= 1 && a->floats && (a->type == MIRT_ATTRIBUTE_TYPE_FLOAT || a->type == MIRT_ATTRIBUTE_TYPE_FLOATS))
      return int64_t(a->floats[0]);
    bad_type(name, "an int");
  }
  float attr_float(std::string_view name, float fallback) const {
    const mirt_attribute* a = find(name);
    if (a == nullptr) return fallback;
    if (a->count >= 1 && a->floats && (a->type == MIRT_ATTRIBUTE_TYPE_FLOAT || a->type == MIRT_ATTRIBUTE_TYPE_FLOATS))
      return a->floats[0];
    if (a->count >= 1 && a->ints && (a->type == MIRT_ATTRIBUTE_TYPE_INT || a->type == MIRT_ATTRIBUTE_TYPE_INTS))
      return float(a->ints[0]);
    bad_type(name, "a float");
  }
  std::string attr_string(std::string_view name, std::string fallback) const {
    const mirt_attribute* a = find(name);
    if (a == nullptr) return fallback;
    if (a->count >= 1 && a->strings &&
        (a->type == MIRT_ATTRIBUTE_TYPE_STRING || a->type == MIRT_ATTRIBUTE_TYPE_STRINGS))
      return std::string(view_of(a->strings[0]));
    bad_type(name, "a string");
  }
  std::optional<std::vector<int64_t>> attr_ints(std::string_view name) const {
    const mirt_attribute* a = find(name);
    if (a == nullptr) return std::nullopt;
    if (a->type != MIRT_ATTRIBUTE_TYPE_INTS && a->type != MIRT_ATTRIBUTE_TYPE_INT) bad_type(name, "ints");
    if (a->count > 0 && a->ints == nullptr) bad_type(name, "ints");
    return std::vector<int64_t>(a->ints, a->ints + a->count);
  }
  std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> fallback) const {
    auto v = attr_ints(name);
    return v ? *v : fallback;
  }

 private:
  [[noreturn]] void bad_type(std::string_view name, const char* expected) const {
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' is not ", expected);
  }
  const mirt_node_info& node_;
};

}  // namespace mirt::cpu
