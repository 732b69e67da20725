// parsers/onnx/attribute_import.cpp — converts AttributeProto values into mirt attributes.
#include "parsers/onnx/attribute_import.hpp"

#include <cmath>
#include <cstring>

#include "parsers/onnx/tensor_import.hpp"

namespace mirt::onnx {

namespace {

using ::onnx::AttributeProto;
using ::onnx::TensorProto;

// IR versions before 0.0.2 did not set AttributeProto.type; infer it from the field that is set.
AttributeProto::AttributeType type_of(const AttributeProto& a) {
  if (a.type() != AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return AttributeProto::FLOAT;
  if (a.has_i()) return AttributeProto::INT;
  if (a.has_s()) return AttributeProto::STRING;
  if (a.has_t()) return AttributeProto::TENSOR;
  if (a.has_g()) return AttributeProto::GRAPH;
  if (a.floats_size()) return AttributeProto::FLOATS;
  if (a.strings_size()) return AttributeProto::STRINGS;
  return AttributeProto::INTS;
}

// Reads element 0 of `bytes` as dtype.
double element_as_double(mirt_dtype dtype, const void* bytes) {
  auto load = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, bytes, sizeof v);
    return static_cast<double>(v);
  };
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return load(float{});
    case MIRT_DTYPE_FLOAT64: return load(double{});
    case MIRT_DTYPE_INT8: return load(int8_t{});
    case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return load(uint8_t{});
    case MIRT_DTYPE_INT32: return load(int32_t{});
    case MIRT_DTYPE_INT64: return load(int64_t{});
    case MIRT_DTYPE_FLOAT16: {
      uint16_t h;
      std::memcpy(&h, bytes, 2);
      int exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
      double sign = (h & 0x8000) ? -1.0 : 1.0;
      if (exponent == 0) return sign * std::ldexp(mantissa, -24);
      if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
      return sign * std::ldexp(mantissa + 1024, exponent - 25);
    }
    case MIRT_DTYPE_BFLOAT16: {
      uint16_t b;
      std::memcpy(&b, bytes, 2);
      uint32_t bits = static_cast<uint32_t>(b) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    default: return 0.0;
  }
}

}  // namespace

status scalar_of(const TensorProto& t, std::string_view what, scalar_value* out) {
  if (t.data_location() == TensorProto::EXTERNAL)
    return make_error(MIRT_STATUS_UNSUPPORTED, what, ": a tensor attribute with external data is not supported");
  external_files none("");
  tensor_data data;
  MIRT_ONNX_RETURN_IF_ERROR(read_tensor(t, what, none, &data));
  size_t count = data.size / dtype_size(data.dtype);
  if (count != 1)
    return make_error(MIRT_STATUS_UNSUPPORTED, what, ": holds ", count,
                      " elements; mirt takes only one-element tensor attributes (as a float or int)");
  scalar_value v;
  v.is_integer = data.dtype == MIRT_DTYPE_INT8 || data.dtype == MIRT_DTYPE_UINT8 || data.dtype == MIRT_DTYPE_INT32 ||
                 data.dtype == MIRT_DTYPE_INT64 || data.dtype == MIRT_DTYPE_BOOL;
  if (data.dtype == MIRT_DTYPE_INT64)
    std::memcpy(&v.integer, data.bytes(), sizeof v.integer);
  else
    v.integer = static_cast<int64_t>(element_as_double(data.dtype, data.bytes()));
  v.real = element_as_double(data.dtype, data.bytes());
  *out = v;
  return {};
}

status list_of(const TensorProto& t, std::string_view what, owned_attribute* out) {
  if (t.data_location() == TensorProto::EXTERNAL)
    return make_error(MIRT_STATUS_UNSUPPORTED, what, ": a tensor attribute with external data is not supported");
  external_files none("");
  tensor_data data;
  MIRT_ONNX_RETURN_IF_ERROR(read_tensor(t, what, none, &data));
  const size_t size = dtype_size(data.dtype), count = size ? data.size / size : 0;
  const auto* bytes = static_cast<const uint8_t*>(data.bytes());
  switch (data.dtype) {
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: case MIRT_DTYPE_INT32: case MIRT_DTYPE_INT64:
      out->type = MIRT_ATTRIBUTE_TYPE_INTS;
      for (size_t i = 0; i < count; ++i) {
        int64_t v = 0;
        if (data.dtype == MIRT_DTYPE_INT64)
          std::memcpy(&v, bytes + i * size, sizeof v);
        else
          v = static_cast<int64_t>(element_as_double(data.dtype, bytes + i * size));
        out->ints.push_back(v);
      }
      return {};
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_FLOAT64: case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16:
      out->type = MIRT_ATTRIBUTE_TYPE_FLOATS;
      for (size_t i = 0; i < count; ++i) out->floats.push_back(static_cast<float>(element_as_double(data.dtype, bytes + i * size)));
      return {};
    default:
      return make_error(MIRT_STATUS_UNSUPPORTED, what, ": holds ", TensorProto::DataType_Name(TensorProto::DataType(t.data_type())),
                        " values; mirt takes tensor attributes of float, int and bool types");
  }
}

const owned_attribute* attribute_list::find(std::string_view name) const {
  for (const owned_attribute& a : items_)
    if (a.name == name) return &a;
  return nullptr;
}

std::optional<owned_attribute> attribute_list::take(std::string_view name) {
  for (auto it = items_.begin(); it != items_.end(); ++it)
    if (it->name == name) {
      owned_attribute a = std::move(*it);
      items_.erase(it);
      return a;
    }
  return std::nullopt;
}

void attribute_list::set(owned_attribute a) {
  for (owned_attribute& existing : items_)
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  items_.push_back(std::move(a));
}

void attribute_list::set_int(std::string_view name, int64_t value) {
  owned_attribute a;
  a.name = std::string(name);
  a.type = MIRT_ATTRIBUTE_TYPE_INT;
  a.ints = {value};
  set(std::move(a));
}

void attribute_list::set_string(std::string_view name, std::string value) {
  owned_attribute a;
  a.name = std::string(name);
  a.type = MIRT_ATTRIBUTE_TYPE_STRING;
  a.strings = {std::move(value)};
  set(std::move(a));
}

std::vector<mirt_attribute> attribute_list::views(std::vector<mirt_string_view>* string_views) const {
  size_t total = 0;
  for (const owned_attribute& a : items_) total += a.strings.size();
  string_views->clear();
  string_views->reserve(total);  // no reallocation below, so the pointers taken stay valid
  std::vector<mirt_attribute> out;
  for (const owned_attribute& a : items_) {
    mirt_attribute v{};
    v.name = {a.name.data(), a.name.size()};
    v.type = a.type;
    const mirt_string_view* first = string_views->data() + string_views->size();
    for (const std::string& s : a.strings) string_views->push_back({s.data(), s.size()});
    switch (a.type) {
      case MIRT_ATTRIBUTE_TYPE_INT: case MIRT_ATTRIBUTE_TYPE_INTS:
        v.count = a.ints.size(), v.ints = a.ints.data();
        break;
      case MIRT_ATTRIBUTE_TYPE_FLOAT: case MIRT_ATTRIBUTE_TYPE_FLOATS:
        v.count = a.floats.size(), v.floats = a.floats.data();
        break;
      default:
        v.count = a.strings.size(), v.strings = first;
        break;
    }
    out.push_back(v);
  }
  return out;
}

bool is_control_flow_op(const ::onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  return (node.domain().empty() || node.domain() == "ai.onnx") && (op == "If" || op == "Loop" || op == "Scan");
}

status convert_attributes(const ::onnx::NodeProto& node, attribute_list* out) {
  bool constant_of_shape = node.op_type() == "ConstantOfShape" && (node.domain().empty() || node.domain() == "ai.onnx");
  for (const AttributeProto& a : node.attribute()) {
    owned_attribute o;
    o.name = a.name();
    if (!a.ref_attr_name().empty())
      return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", a.name(), "' refers to function attribute '",
                        a.ref_attr_name(), "'; only function bodies may do that");
    switch (type_of(a)) {
      case AttributeProto::FLOAT: o.type = MIRT_ATTRIBUTE_TYPE_FLOAT, o.floats = {a.f()}; break;
      case AttributeProto::INT: o.type = MIRT_ATTRIBUTE_TYPE_INT, o.ints = {a.i()}; break;
      case AttributeProto::STRING: o.type = MIRT_ATTRIBUTE_TYPE_STRING, o.strings = {a.s()}; break;
      case AttributeProto::FLOATS:
        o.type = MIRT_ATTRIBUTE_TYPE_FLOATS, o.floats.assign(a.floats().begin(), a.floats().end());
        break;
      case AttributeProto::INTS:
        o.type = MIRT_ATTRIBUTE_TYPE_INTS, o.ints.assign(a.ints().begin(), a.ints().end());
        break;
      case AttributeProto::STRINGS:
        o.type = MIRT_ATTRIBUTE_TYPE_STRINGS, o.strings.assign(a.strings().begin(), a.strings().end());
        break;
      case AttributeProto::TENSOR: {
        // ONNX-ML ops (TreeEnsemble, ...) take their tensor attributes as lists, of any length; other
        // ops' tensors of several elements become lists too (ConstantOfShape's value must be one).
        const bool ml = node.domain() == "ai.onnx.ml";
        int64_t elements = 1;
        for (int64_t d : a.t().dims()) elements *= d;
        if (ml || (elements != 1 && !constant_of_shape)) {
          MIRT_ONNX_RETURN_IF_ERROR(list_of(a.t(), cat("tensor attribute '", a.name(), "'"), &o));
          break;
        }
        scalar_value v;
        MIRT_ONNX_RETURN_IF_ERROR(scalar_of(a.t(), cat("tensor attribute '", a.name(), "'"), &v));
        if (constant_of_shape && a.name() == "value") {
          // The core's convention (core/graph/schemas/shape_values.cpp): FLOAT value + INT dtype.
          o.type = MIRT_ATTRIBUTE_TYPE_FLOAT;
          o.floats = {v.is_integer ? static_cast<float>(v.integer) : static_cast<float>(v.real)};
          if (v.is_integer && static_cast<int64_t>(o.floats[0]) != v.integer)
            return make_error(MIRT_STATUS_UNSUPPORTED, "tensor attribute 'value' holds ", v.integer,
                              ", which a float attribute cannot hold exactly");
          owned_attribute dtype;
          dtype.name = "dtype";
          dtype.type = MIRT_ATTRIBUTE_TYPE_INT;
          dtype.ints = {a.t().data_type()};
          out->set(std::move(dtype));
        } else if (v.is_integer) {
          o.type = MIRT_ATTRIBUTE_TYPE_INT, o.ints = {v.integer};
        } else {
          o.type = MIRT_ATTRIBUTE_TYPE_FLOAT, o.floats = {static_cast<float>(v.real)};
        }
        break;
      }
      case AttributeProto::GRAPH:
        if (is_control_flow_op(node)) continue;  // the importer adds it as a body (subgraph_import.cpp)
        return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", a.name(), "' is a subgraph; mirt takes subgraphs "
                          "only as the bodies of If, Loop and Scan");
      case AttributeProto::GRAPHS:
        return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", a.name(),
                          "' is a list of subgraphs, which no op mirt supports takes");
      default:
        return make_error(MIRT_STATUS_UNSUPPORTED, "attribute '", a.name(), "' has type ",
                          AttributeProto::AttributeType_Name(type_of(a)),
                          ", which mirt attributes cannot carry (they take int, float, string and lists of them)");
    }
    out->set(std::move(o));
  }
  return {};
}

}  // namespace mirt::onnx
