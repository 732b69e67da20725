// backends/support/node_view.cpp — typed attribute reads and dtype checks on mirt_node_info.
#include "backends/support/node_view.hpp"

namespace mirt::support {

std::optional<std::vector<int64_t>> node_view::constant_ints(size_t i) const {
  const void* data = constant(i);
  if (data == nullptr) return std::nullopt;
  const dims shape = to_dims(input(i));
  for (int64_t d : shape)
    if (d < 0) return std::nullopt;
  const int64_t n = product(shape);
  std::vector<int64_t> v(static_cast<size_t>(n));
  if (input_dtype(i) == MIRT_DTYPE_INT64) {
    for (int64_t k = 0; k < n; ++k) v[size_t(k)] = static_cast<const int64_t*>(data)[k];
  } else if (input_dtype(i) == MIRT_DTYPE_INT32) {
    for (int64_t k = 0; k < n; ++k) v[size_t(k)] = static_cast<const int32_t*>(data)[k];
  } else {
    return std::nullopt;
  }
  return v;
}

namespace {

bool has_ints(const mirt_attribute* a) {
  return a->count >= 1 && a->ints && (a->type == MIRT_ATTRIBUTE_TYPE_INT || a->type == MIRT_ATTRIBUTE_TYPE_INTS);
}
bool has_floats(const mirt_attribute* a) {
  return a->count >= 1 && a->floats && (a->type == MIRT_ATTRIBUTE_TYPE_FLOAT || a->type == MIRT_ATTRIBUTE_TYPE_FLOATS);
}

}  // namespace

int64_t node_view::attr_int(std::string_view name, int64_t fallback) const {
  const mirt_attribute* a = find(name);
  if (a == nullptr) return fallback;
  if (has_ints(a)) return a->ints[0];
  if (has_floats(a)) return int64_t(a->floats[0]);
  bad_type(name, "an int");
}

float node_view::attr_float(std::string_view name, float fallback) const {
  const mirt_attribute* a = find(name);
  if (a == nullptr) return fallback;
  if (has_floats(a)) return a->floats[0];
  if (has_ints(a)) return float(a->ints[0]);
  bad_type(name, "a float");
}

std::string node_view::attr_string(std::string_view name, std::string fallback) const {
  const mirt_attribute* a = find(name);
  if (a == nullptr) return fallback;
  if (a->count >= 1 && a->strings && (a->type == MIRT_ATTRIBUTE_TYPE_STRING || a->type == MIRT_ATTRIBUTE_TYPE_STRINGS))
    return std::string(view_of(a->strings[0]));
  bad_type(name, "a string");
}

std::optional<std::vector<int64_t>> node_view::attr_ints(std::string_view name) const {
  const mirt_attribute* a = find(name);
  if (a == nullptr) return std::nullopt;
  if (a->type != MIRT_ATTRIBUTE_TYPE_INTS && a->type != MIRT_ATTRIBUTE_TYPE_INT) bad_type(name, "ints");
  if (a->count > 0 && a->ints == nullptr) bad_type(name, "ints");
  return std::vector<int64_t>(a->ints, a->ints + a->count);
}

bool input_dtype_in(const node_view& node, size_t i, std::initializer_list<mirt_dtype> allowed, std::string& why) {
  const mirt_dtype dt = node.input_dtype(i);
  for (mirt_dtype a : allowed)
    if (a == dt) return true;
  why = cat("input ", i, " has dtype ", dtype_name(dt), ", supported: ");
  bool first = true;
  for (mirt_dtype a : allowed) {
    why += (first ? "" : ", ");
    why += dtype_name(a);
    first = false;
  }
  return false;
}

bool standard_domain(const mirt_node_info& info) {
  const std::string_view domain = view_of(info.domain);
  return domain.empty() || domain == "ai.onnx";
}

}  // namespace mirt::support
