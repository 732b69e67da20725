// core/base/c_status.hpp — conversion between mirt::status and the C ABI's mirt_status.
#pragma once

#include <string_view>

#include "core/base/status.hpp"
#include "mirt/base.h"

namespace mirt {

// A C status owned by the caller, or NULL for OK.
mirt_status to_c_status(const status& s);
// Takes ownership of a C status (from a module) and turns it into a mirt::status.
status from_c_status(mirt_status s);

inline std::string_view to_view(mirt_string_view s) { return {s.data ? s.data : "", s.length}; }
inline mirt_string_view to_c_view(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace mirt

// Runs the body of an extern "C" entry point: exceptions become statuses, never escape.
#define MIRT_C_GUARD_BEGIN try {
#define MIRT_C_GUARD_END                                                               \
  }                                                                                   \
  catch (const std::bad_alloc&) {                                                     \
    return ::mirt::to_c_status({MIRT_STATUS_OUT_OF_MEMORY, "out of host memory"});    \
  }                                                                                   \
  catch (const std::exception& e) {                                                   \
    return ::mirt::to_c_status({MIRT_STATUS_INTERNAL, std::string("internal error: ") + e.what()}); \
  }
