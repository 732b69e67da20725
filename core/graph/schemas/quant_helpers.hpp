// core/graph/schemas/quant_helpers.hpp — checks shared by the quantization schema files.
#pragma once

#include "core/graph/schemas/schema_helpers.hpp"

namespace mirt::schemas {

// int8 or uint8, mirt's quantized types.
inline bool is_quantized(mirt_dtype d) { return d == MIRT_DTYPE_INT8 || d == MIRT_DTYPE_UINT8; }
// Fails unless input i (when present, or always when required) is int8 or uint8.
status require_quantized(const infer_context& ctx, size_t i, const char* what, bool required);
// Fails unless input i is present and float32, float16 or bfloat16 (a scale).
status require_float(const infer_context& ctx, size_t i, const char* what);

}  // namespace mirt::schemas
