// tests/conformance/tensor_data.hpp — ONNX element types, reading .pb tensors into mirt's dense
// layout, and comparing outputs with the expected ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/conformance/common.hpp"

namespace conformance {

// The ONNX TensorProto.DataType names (values of ONNX 1.22; Debian's 1.12 headers lack the newest).
std::string onnx_type_name(int t);
// mirt's dtype for an ONNX element type; UNDEFINED for types mirt_dtype does not have.
mirt_dtype to_mirt(int t);
bool is_float(mirt_dtype d);
// Element i of a dense buffer of a float dtype, as double.
double float_at(const uint8_t* p, mirt_dtype d, size_t i);
// Element i of a dense buffer of an integer or bool dtype, as int64 (for messages).
int64_t int_at(const uint8_t* p, mirt_dtype d, size_t i);

// A tensor read from a .pb file, in mirt's dense row-major layout.
struct host_tensor {
  std::string name;
  int onnx_type = 0;
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  size_t count() const {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    return n;
  }
};

std::string dims_text(const std::vector<int64_t>& dims);

// want_type: the element type the model declares for this value (0: unknown). ONNX 1.12's test data
// stores bfloat16 values as uint16 tensors of the same bits; those are read as bfloat16.
host_tensor read_tensor(const fs::path& path, int want_type = 0);

// "" when got matches want (floats within atol + rtol * |want|, NaN equal to NaN; other types
// exactly), else how many values differ and the worst (or first) one.
std::string compare(const host_tensor& want, const uint8_t* got, mirt_dtype dtype, double rtol, double atol);

}  // namespace conformance
