// tests/conformance/tensor_data.cpp — ONNX element types, .pb tensors, output comparison.
#include "tests/conformance/tensor_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace conformance {

// The ONNX TensorProto.DataType names (values of ONNX 1.22; Debian's 1.12 headers lack the newest).
std::string onnx_type_name(int t) {
  static const char* names[] = {"undefined", "float",  "uint8",       "int8",          "uint16",     "int16",
                                "int32",     "int64",  "string",      "bool",          "float16",    "double",
                                "uint32",    "uint64", "complex64",   "complex128",    "bfloat16",   "float8e4m3fn",
                                "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
                                "float8e8m0", "uint2", "int2"};
  if (t >= 0 && t < static_cast<int>(sizeof(names) / sizeof(names[0]))) return names[t];
  return "type" + std::to_string(t);
}

// mirt's dtype for an ONNX element type; UNDEFINED for types mirt_dtype does not have.
mirt_dtype to_mirt(int t) {
  switch (t) {
    case 1: return MIRT_DTYPE_FLOAT32;
    case 2: return MIRT_DTYPE_UINT8;
    case 3: return MIRT_DTYPE_INT8;
    case 6: return MIRT_DTYPE_INT32;
    case 7: return MIRT_DTYPE_INT64;
    case 9: return MIRT_DTYPE_BOOL;
    case 10: return MIRT_DTYPE_FLOAT16;
    case 11: return MIRT_DTYPE_FLOAT64;
    case 16: return MIRT_DTYPE_BFLOAT16;
    default: return MIRT_DTYPE_UNDEFINED;
  }
}

bool is_float(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16 || d == MIRT_DTYPE_FLOAT64;
}

double half_to_double(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? std::nan("") : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

double bf16_to_double(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Element i of a dense buffer of a float dtype, as double.
double float_at(const uint8_t* p, mirt_dtype d, size_t i) {
  switch (d) {
    case MIRT_DTYPE_FLOAT32: {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      return f;
    }
    case MIRT_DTYPE_FLOAT64: {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
    case MIRT_DTYPE_FLOAT16: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      return half_to_double(h);
    }
    default: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      return bf16_to_double(h);
    }
  }
}

// Element i of a dense buffer of an integer or bool dtype, as int64 (for messages).
int64_t int_at(const uint8_t* p, mirt_dtype d, size_t i) {
  switch (d) {
    case MIRT_DTYPE_INT8: return static_cast<int8_t>(p[i]);
    case MIRT_DTYPE_UINT8:
    case MIRT_DTYPE_BOOL: return p[i];
    case MIRT_DTYPE_INT32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
  }
}


std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? "x" : "") + std::to_string(dims[i]);
  return out + "]";
}

template <typename T, typename Field>
void pack(std::vector<uint8_t>& out, const Field& field) {
  out.resize(field.size() * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
}

// want_type: the element type the model declares for this value (0: unknown). ONNX 1.12's test data
// stores bfloat16 values as uint16 tensors of the same bits; those are read as bfloat16.
host_tensor read_tensor(const fs::path& path, int want_type) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw failure{"data: cannot open " + path.string()};
  onnx::TensorProto t;
  if (!t.ParseFromIstream(&in)) throw failure{"data: " + path.string() + " is not a TensorProto"};
  host_tensor out;
  out.name = t.name();
  out.onnx_type = t.data_type();
  if (out.onnx_type == onnx::TensorProto::UINT16 && want_type == onnx::TensorProto::BFLOAT16) {
    out.onnx_type = want_type;
    t.set_data_type(want_type);
  }
  out.dtype = to_mirt(out.onnx_type);
  out.dims.assign(t.dims().begin(), t.dims().end());
  if (out.dtype == MIRT_DTYPE_UNDEFINED) throw failure{"data: element type " + onnx_type_name(t.data_type())};
  if (t.data_location() == onnx::TensorProto::EXTERNAL) throw failure{"data: external data in " + path.string()};
  size_t expect = out.count() * mirt_dtype_size(out.dtype);
  if (t.has_raw_data()) {
    out.bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (out.dtype) {
      case MIRT_DTYPE_FLOAT32: pack<float>(out.bytes, t.float_data()); break;
      case MIRT_DTYPE_FLOAT64: pack<double>(out.bytes, t.double_data()); break;
      case MIRT_DTYPE_INT64: pack<int64_t>(out.bytes, t.int64_data()); break;
      case MIRT_DTYPE_INT32: pack<int32_t>(out.bytes, t.int32_data()); break;
      case MIRT_DTYPE_FLOAT16:
      case MIRT_DTYPE_BFLOAT16: pack<uint16_t>(out.bytes, t.int32_data()); break;
      default: pack<uint8_t>(out.bytes, t.int32_data()); break;  // int8, uint8, bool
    }
  }
  if (out.bytes.size() != expect)
    throw failure{"data: " + path.filename().string() + " holds " + std::to_string(out.bytes.size()) +
                  " bytes for " + dims_text(out.dims) + " " + onnx_type_name(out.onnx_type)};
  return out;
}

std::string compare(const host_tensor& want, const uint8_t* got, mirt_dtype dtype, double rtol, double atol) {
  size_t n = want.count();
  if (is_float(dtype)) {
    size_t bad = 0, worst_i = 0;
    double worst = -1;
    for (size_t i = 0; i < n; ++i) {
      double a = float_at(got, dtype, i), b = float_at(want.bytes.data(), dtype, i);
      if (std::isnan(a) && std::isnan(b)) continue;
      if (a == b) continue;
      double err = std::abs(a - b), tol = atol + rtol * std::abs(b);
      if (std::isnan(err) || err > tol) {
        ++bad;
        double excess = std::isnan(err) ? INFINITY : err - tol;
        if (excess > worst) worst = excess, worst_i = i;
      }
    }
    if (!bad) return "";
    std::ostringstream m;
    m.precision(7);
    m << bad << " of " << n << " values differ; worst at " << worst_i << ": got " << float_at(got, dtype, worst_i)
      << ", expected " << float_at(want.bytes.data(), dtype, worst_i);
    return m.str();
  }
  size_t esize = mirt_dtype_size(dtype);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    bool same = dtype == MIRT_DTYPE_BOOL ? (got[i] != 0) == (want.bytes[i] != 0)
                                         : std::memcmp(got + i * esize, want.bytes.data() + i * esize, esize) == 0;
    if (!same && bad++ == 0) first = i;
  }
  if (!bad) return "";
  return std::to_string(bad) + " of " + std::to_string(n) + " values differ; first at " + std::to_string(first) +
         ": got " + std::to_string(int_at(got, dtype, first)) + ", expected " +
         std::to_string(int_at(want.bytes.data(), dtype, first));
}

}  // namespace conformance
