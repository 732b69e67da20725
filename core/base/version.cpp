// core/base/version.cpp — version queries and small helpers of mirt/base.h.
#include <cstdlib>
#include <cstring>

#include "mirt/base.h"

extern "C" {

MIRT_EXPORT const char* mirt_version(void) { return MIRT_VERSION_STRING; }
MIRT_EXPORT uint32_t mirt_version_number(void) { return MIRT_VERSION_NUMBER; }
MIRT_EXPORT uint32_t mirt_abi_version(void) { return MIRT_ABI_VERSION; }

MIRT_EXPORT mirt_string_view mirt_string_view_of(const char* c_string) {
  return {c_string, c_string ? std::strlen(c_string) : 0};
}

MIRT_EXPORT void mirt_string_free(char* string) { std::free(string); }

MIRT_EXPORT size_t mirt_dtype_size(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return 4;
    case MIRT_DTYPE_FLOAT16: return 2;
    case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT8: return 1;
    case MIRT_DTYPE_UINT8: return 1;
    case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_INT64: return 8;
    case MIRT_DTYPE_BOOL: return 1;
    case MIRT_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

MIRT_EXPORT const char* mirt_dtype_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    case MIRT_DTYPE_FLOAT64: return "float64";
    default: return "undefined";
  }
}

}  // extern "C"
