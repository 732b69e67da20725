// backends/support/host.hpp — what every backend module needs from the host: statuses made through
// the host api (modules do not link libmirt), an error type, and the one catch per vtable export.
//
// Each backend keeps its own copy (a static library linked into each module), so each module has
// its own host pointer.
#pragma once

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include "mirt/module.h"

namespace mirt::support {

// The host api passed to mirt_module_entry; set once, before any vtable call.
const mirt_host_api* host_api();
void set_host_api(const mirt_host_api* host);

// Makes a C status through the host. The entry point refuses to hand out a vtable before the host
// is known, because a NULL status would read as success.
mirt_status make_status(mirt_status_code code, const std::string& message);

// Concatenates streamable values: cat("axis ", a, " out of range").
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Internal failure; thrown inside a backend and turned into a status at the vtable edge only.
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

// One catch per export: runs body and turns any escaping failure into a status prefixed with
// context(). context is a callable so that hot paths (kernel_execute) format nothing unless they fail.
template <class Context, class F>
mirt_status guarded_with(Context&& context, F&& body) {
  try {
    body();
    return nullptr;
  } catch (const error& e) {
    return make_status(e.code(), context() + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return make_status(MIRT_STATUS_OUT_OF_MEMORY, context() + ": out of host memory");
  } catch (const std::exception& e) {
    return make_status(MIRT_STATUS_INTERNAL, context() + ": " + e.what());
  } catch (...) {
    return make_status(MIRT_STATUS_INTERNAL, context() + ": unknown failure");
  }
}

template <class F>
mirt_status guarded(const std::string& context_on_error, F&& body) {
  return guarded_with([&] { return context_on_error; }, std::forward<F>(body));
}

}  // namespace mirt::support
