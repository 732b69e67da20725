// core/base/c_status.cpp — the C status object and its accessors.
#include "core/base/c_status.hpp"

#include <new>
#include <string>

struct mirt_status_impl {
  mirt_status_code code;
  std::string message;
};

namespace mirt {

namespace {
// Returned when a status itself cannot be allocated; never freed (see mirt_status_destroy).
mirt_status_impl out_of_memory_status{MIRT_STATUS_OUT_OF_MEMORY, "out of host memory while reporting an error"};
}  // namespace

mirt_status to_c_status(const status& s) {
  if (s.ok()) return nullptr;
  try {
    return new mirt_status_impl{s.code(), s.message()};
  } catch (...) {
    return &out_of_memory_status;
  }
}

status from_c_status(mirt_status s) {
  if (s == nullptr) return {};
  status result(s->code, s->message);
  mirt_status_destroy(s);
  return result;
}

}  // namespace mirt

extern "C" {

MIRT_EXPORT mirt_status mirt_status_create(mirt_status_code code, mirt_string_view message) {
  if (code == MIRT_STATUS_OK) return nullptr;
  return mirt::to_c_status(mirt::status(code, std::string(mirt::to_view(message))));
}

MIRT_EXPORT mirt_status_code mirt_status_get_code(mirt_status status) {
  return status ? status->code : MIRT_STATUS_OK;
}

MIRT_EXPORT const char* mirt_status_get_message(mirt_status status) {
  return status ? status->message.c_str() : "";
}

MIRT_EXPORT const char* mirt_status_code_name(mirt_status_code code) {
  switch (code) {
    case MIRT_STATUS_OK: return "OK";
    case MIRT_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case MIRT_STATUS_INVALID_GRAPH: return "INVALID_GRAPH";
    case MIRT_STATUS_INVALID_SHAPE: return "INVALID_SHAPE";
    case MIRT_STATUS_NOT_FOUND: return "NOT_FOUND";
    case MIRT_STATUS_UNSUPPORTED: return "UNSUPPORTED";
    case MIRT_STATUS_INCOMPATIBLE_VERSION: return "INCOMPATIBLE_VERSION";
    case MIRT_STATUS_CORRUPT_DATA: return "CORRUPT_DATA";
    case MIRT_STATUS_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case MIRT_STATUS_IO_ERROR: return "IO_ERROR";
    case MIRT_STATUS_MODULE_ERROR: return "MODULE_ERROR";
    case MIRT_STATUS_DEVICE_ERROR: return "DEVICE_ERROR";
    case MIRT_STATUS_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case MIRT_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case MIRT_STATUS_INTERNAL: return "INTERNAL";
    default: return "UNKNOWN";
  }
}

MIRT_EXPORT void mirt_status_destroy(mirt_status status) {
  if (status != &mirt::out_of_memory_status) delete status;
}

}  // extern "C"
