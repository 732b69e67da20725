// core/graph/known_values.cpp — decodes small tensors into the values shape inference tracks.
#include "core/graph/known_values.hpp"

#include <cstring>

namespace mirt {

namespace {

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf, nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: value = mantissa * 2^-24
    float f = float(mantissa) * 0x1p-24f;
    return sign ? -f : f;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <class T>
T load(const void* data, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const std::byte*>(data) + i * sizeof(T), sizeof(T));
  return v;
}

bool is_float(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT64 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16;
}

}  // namespace

bool operands_known(const node& n, const std::vector<tensor_type>& types) {
  for (int t : n.inputs)
    if (t >= 0 && !shape_known(types[t])) return false;
  for (int t : n.outputs)
    if (!shape_known(types[t])) return false;
  return true;
}

bool can_track_values(const tensor_type& t) {
  const int64_t count = element_count(t.shape);
  if (!t.rank_known || count < 0 || count > max_tracked_elements) return false;
  switch (t.dtype) {
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_INT32: case MIRT_DTYPE_INT64: case MIRT_DTYPE_BOOL:
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: case MIRT_DTYPE_FLOAT64:
      return true;
    default:
      return false;
  }
}

void set_known_values(tensor_type& t, const void* data) {
  if (!can_track_values(t)) return;
  const size_t count = static_cast<size_t>(element_count(t.shape));
  std::vector<int64_t> ints;
  std::vector<double> reals;
  for (size_t i = 0; i < count; ++i) {
    switch (t.dtype) {
      case MIRT_DTYPE_INT8: ints.push_back(load<int8_t>(data, i)); break;
      case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: ints.push_back(load<uint8_t>(data, i)); break;
      case MIRT_DTYPE_INT32: ints.push_back(load<int32_t>(data, i)); break;
      case MIRT_DTYPE_INT64: ints.push_back(load<int64_t>(data, i)); break;
      case MIRT_DTYPE_FLOAT32: reals.push_back(load<float>(data, i)); break;
      case MIRT_DTYPE_FLOAT64: reals.push_back(load<double>(data, i)); break;
      case MIRT_DTYPE_FLOAT16: reals.push_back(half_to_float(load<uint16_t>(data, i))); break;
      default: {  // bfloat16: the high half of a float32
        const uint32_t bits = uint32_t(load<uint16_t>(data, i)) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        reals.push_back(f);
      }
    }
  }
  if (is_float(t.dtype))
    t.float_values = std::move(reals);
  else
    t.values = std::move(ints);
}

std::optional<std::vector<double>> constant_float_values(const graph& g, const tensor& t) {
  if (t.constant < 0 || !is_float(t.dtype)) return std::nullopt;
  tensor_type type{t.dtype, t.shape, true, std::nullopt};
  const int64_t count = element_count(t.shape);
  if (count < 0 || g.constants[t.constant].size < size_t(count) * mirt_dtype_size(t.dtype)) return std::nullopt;
  set_known_values(type, g.constants[t.constant].data());
  return type.float_values;
}

}  // namespace mirt
