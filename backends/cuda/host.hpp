// backends/cuda/host.hpp — the host services handed to the module, and the backend's error type.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "mirt/module.h"

namespace mirt::cuda {

// The host api passed to mirt_module_entry; set once, before any vtable call.
const mirt_host_api* host_api();
void set_host_api(const mirt_host_api* host);

// Makes a C status through the host (the module does not link libmirt).
mirt_status make_status(mirt_status_code code, const std::string& message);

// Concatenates streamable values: cat("axis ", a, " out of range").
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Internal failure; thrown inside the backend and turned into a status at the vtable edge only.
class error : public std::runtime_error {
 public:
  error(mirt_status_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  mirt_status_code code() const { return code_; }

 private:
  mirt_status_code code_;
};

template <class... Parts>
[[noreturn]] void fail(mirt_status_code code, const Parts&... parts) {
  throw error(code, cat(parts...));
}

}  // namespace mirt::cuda
