// tools/mirt/tensor_data.cpp — fills, loads and exports the host buffers of exec's I/O tensors.
#include "tensor_data.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace mirt::cli {

namespace {

// splitmix64: tiny, fast and identical everywhere (std distributions are not).
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1].
double next_unit(uint64_t& state) { return static_cast<double>(next_random(state) >> 11) * (2.0 / 9007199254740991.0) - 1.0; }

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

template <typename T>
void fill_as(void* data, uint64_t count, uint64_t& state, T (*make)(uint64_t&)) {
  T* p = static_cast<T*>(data);
  for (uint64_t i = 0; i < count; ++i) p[i] = make(state);
}

template <typename T>
nlohmann::json array_of(const void* data, uint64_t count) {
  nlohmann::json a = nlohmann::json::array();
  const T* p = static_cast<const T*>(data);
  for (uint64_t i = 0; i < count; ++i) a.push_back(p[i]);
  return a;
}

nlohmann::json float_array(const void* data, uint64_t count, float (*widen)(uint16_t)) {
  nlohmann::json a = nlohmann::json::array();
  const uint16_t* p = static_cast<const uint16_t*>(data);
  for (uint64_t i = 0; i < count; ++i) a.push_back(widen(p[i]));
  return a;
}

}  // namespace

uint64_t element_count(const std::vector<int64_t>& dims) {
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw std::invalid_argument("a dimension is still dynamic (-1); give it with --shapes");
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

uint16_t float_to_half(float f) {
  const uint32_t x = float_bits(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504: inf
  if (abs < 0x38800000u) {                                                 // subnormal or zero
    const float scaled = bits_float(abs) * 16777216.0f;                   // * 2^24: units of the smallest subnormal
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)));
  }
  const uint32_t mant_odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + 0xFFFu + mant_odd;
  return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0) {
    const float v = static_cast<float>(mant) / 16777216.0f;
    return sign != 0 ? -v : v;
  }
  if (exp == 31) return bits_float(sign | 0x7F800000u | (mant << 13));
  return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
}

uint16_t float_to_bfloat16(float f) {
  const uint32_t x = float_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

float bfloat16_to_float(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

void fill_deterministic(void* data, mirt_dtype dtype, uint64_t count, uint64_t seed) {
  uint64_t state = seed;
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: fill_as<float>(data, count, state, [](uint64_t& s) { return static_cast<float>(next_unit(s)); }); break;
    case MIRT_DTYPE_FLOAT64: fill_as<double>(data, count, state, [](uint64_t& s) { return next_unit(s); }); break;
    case MIRT_DTYPE_FLOAT16:
      fill_as<uint16_t>(data, count, state, [](uint64_t& s) { return float_to_half(static_cast<float>(next_unit(s))); });
      break;
    case MIRT_DTYPE_BFLOAT16:
      fill_as<uint16_t>(data, count, state, [](uint64_t& s) { return float_to_bfloat16(static_cast<float>(next_unit(s))); });
      break;
    case MIRT_DTYPE_INT8: fill_as<int8_t>(data, count, state, [](uint64_t& s) { return static_cast<int8_t>(next_random(s) % 4); }); break;
    case MIRT_DTYPE_UINT8: fill_as<uint8_t>(data, count, state, [](uint64_t& s) { return static_cast<uint8_t>(next_random(s) % 4); }); break;
    case MIRT_DTYPE_INT32: fill_as<int32_t>(data, count, state, [](uint64_t& s) { return static_cast<int32_t>(next_random(s) % 4); }); break;
    case MIRT_DTYPE_INT64: fill_as<int64_t>(data, count, state, [](uint64_t& s) { return static_cast<int64_t>(next_random(s) % 4); }); break;
    case MIRT_DTYPE_BOOL: fill_as<uint8_t>(data, count, state, [](uint64_t& s) { return static_cast<uint8_t>(next_random(s) & 1u); }); break;
    default: throw std::invalid_argument(std::string("cannot fill a tensor of dtype ") + mirt_dtype_name(dtype));
  }
}

void load_binary_file(const std::string& path, void* data, uint64_t size) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot open input file '" + path + "': " + std::strerror(errno));
  const auto file_size = static_cast<uint64_t>(in.tellg());
  if (file_size != size)
    throw std::runtime_error("input file '" + path + "' has " + std::to_string(file_size) + " bytes, the tensor needs " +
                             std::to_string(size));
  in.seekg(0);
  if (!in.read(static_cast<char*>(data), static_cast<std::streamsize>(size)))
    throw std::runtime_error("cannot read input file '" + path + "'");
}

nlohmann::json values_to_json(const void* data, mirt_dtype dtype, uint64_t count) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return array_of<float>(data, count);
    case MIRT_DTYPE_FLOAT64: return array_of<double>(data, count);
    case MIRT_DTYPE_FLOAT16: return float_array(data, count, half_to_float);
    case MIRT_DTYPE_BFLOAT16: return float_array(data, count, bfloat16_to_float);
    case MIRT_DTYPE_INT8: return array_of<int8_t>(data, count);
    case MIRT_DTYPE_UINT8: return array_of<uint8_t>(data, count);
    case MIRT_DTYPE_INT32: return array_of<int32_t>(data, count);
    case MIRT_DTYPE_INT64: return array_of<int64_t>(data, count);
    case MIRT_DTYPE_BOOL: {
      nlohmann::json a = nlohmann::json::array();
      const uint8_t* p = static_cast<const uint8_t*>(data);
      for (uint64_t i = 0; i < count; ++i) a.push_back(p[i] != 0);
      return a;
    }
    default: throw std::invalid_argument(std::string("cannot export a tensor of dtype ") + mirt_dtype_name(dtype));
  }
}

std::vector<double> values_to_doubles(const void* data, mirt_dtype dtype, uint64_t count) {
  std::vector<double> out(count);
  auto widen = [&](auto tag) {
    const auto* p = static_cast<const decltype(tag)*>(data);
    for (uint64_t i = 0; i < count; ++i) out[i] = static_cast<double>(p[i]);
  };
  const auto* half = static_cast<const uint16_t*>(data);
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: widen(float{}); break;
    case MIRT_DTYPE_FLOAT64: widen(double{}); break;
    case MIRT_DTYPE_FLOAT16: for (uint64_t i = 0; i < count; ++i) out[i] = half_to_float(half[i]); break;
    case MIRT_DTYPE_BFLOAT16: for (uint64_t i = 0; i < count; ++i) out[i] = bfloat16_to_float(half[i]); break;
    case MIRT_DTYPE_INT8: widen(int8_t{}); break;
    case MIRT_DTYPE_UINT8: widen(uint8_t{}); break;
    case MIRT_DTYPE_INT32: widen(int32_t{}); break;
    case MIRT_DTYPE_INT64: widen(int64_t{}); break;
    case MIRT_DTYPE_BOOL: for (uint64_t i = 0; i < count; ++i) out[i] = static_cast<const uint8_t*>(data)[i] != 0; break;
    default: throw std::invalid_argument(std::string("cannot read a tensor of dtype ") + mirt_dtype_name(dtype));
  }
  return out;
}

void convert_values(const void* src, mirt_dtype src_dtype, void* dst, mirt_dtype dst_dtype, uint64_t count,
                    const std::string& what) {
  if (src_dtype == dst_dtype) {
    std::memcpy(dst, src, count * mirt_dtype_size(src_dtype));
    return;
  }
  const std::vector<double> values = values_to_doubles(src, src_dtype, count);
  auto narrow = [&](auto tag, double lo, double hi) {
    auto* p = static_cast<decltype(tag)*>(dst);
    for (uint64_t i = 0; i < count; ++i) {
      const double v = values[i];
      if (!(v >= lo && v <= hi) || v != std::trunc(v))
        throw std::invalid_argument(what + ": value " + std::to_string(v) + " at element " + std::to_string(i) +
                                    " does not fit " + mirt_dtype_name(dst_dtype));
      p[i] = static_cast<decltype(tag)>(v);
    }
  };
  auto* half = static_cast<uint16_t*>(dst);
  switch (dst_dtype) {
    case MIRT_DTYPE_FLOAT32: for (uint64_t i = 0; i < count; ++i) static_cast<float*>(dst)[i] = static_cast<float>(values[i]); break;
    case MIRT_DTYPE_FLOAT64: std::memcpy(dst, values.data(), count * sizeof(double)); break;
    case MIRT_DTYPE_FLOAT16: for (uint64_t i = 0; i < count; ++i) half[i] = float_to_half(static_cast<float>(values[i])); break;
    case MIRT_DTYPE_BFLOAT16: for (uint64_t i = 0; i < count; ++i) half[i] = float_to_bfloat16(static_cast<float>(values[i])); break;
    case MIRT_DTYPE_INT8: narrow(int8_t{}, -128, 127); break;
    case MIRT_DTYPE_UINT8: narrow(uint8_t{}, 0, 255); break;
    case MIRT_DTYPE_INT32: narrow(int32_t{}, -2147483648.0, 2147483647.0); break;
    case MIRT_DTYPE_INT64: narrow(int64_t{}, -9223372036854775808.0, 9223372036854774784.0); break;
    case MIRT_DTYPE_BOOL: narrow(uint8_t{}, 0, 1); break;
    default: throw std::invalid_argument(what + ": cannot convert to dtype " + mirt_dtype_name(dst_dtype));
  }
}

}  // namespace mirt::cli
